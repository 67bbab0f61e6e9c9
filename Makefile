# The two commands: `make run` and `make test`. Both set up what they need first.
SHELL := /bin/bash
ACTIONS_PY := .venv-actions/bin/python
RASA_PY := .venv-rasa/bin/python
export HF_HUB_OFFLINE := 1
export RASA_TELEMETRY_ENABLED := false

.PHONY: agent agent-password export-customer erase-customer retention run test setup setup-data sample-orders demo-events nlu-eval answer-eval bench-routing bench bench-open bench-sweep bench-train train seed kb-build kb-eval kb-bench clean

run: setup                 ## set up, then start the assistant (Ctrl-C stops it)
	$(ACTIONS_PY) -m assistant.runtime.launcher

test: setup                ## set up, then lint and run every test
	.venv-actions/bin/ruff check .
	$(ACTIONS_PY) -m pytest tests -q --ignore=tests/rasa_plugins
	$(RASA_PY) -m pytest tests/rasa_plugins -q -p no:cacheprovider

setup:                     ## venvs, demo shop database, trained model (idempotent)
	@bash scripts/setup.sh

setup-data:                ## venvs and demo shop database only
	@bash scripts/setup.sh --no-train

train: setup-data          ## retrain the Rasa model even if it is up to date
	$(ACTIONS_PY) -m assistant.runtime.training --force

seed: setup-data           ## reseed the demo shop database from scratch
	$(ACTIONS_PY) -m assistant.runtime.demo seed --force

sample-orders: setup-data  ## a few seeded orders per status, one JSON object per line
	@$(ACTIONS_PY) -m assistant.runtime.demo sample-orders

demo-events: setup-data    ## advance a few seeded orders (ship, delay, refund) to watch notifications arrive
	@$(ACTIONS_PY) -m assistant.runtime.demo_events

nlu-eval: setup-data       ## train on nlu_data/train, evaluate on nlu_data/eval, print JSON
	@$(ACTIONS_PY) -m assistant.runtime.nlu_eval

answer-eval: setup         ## every question of knowledge_base/eval{,/end_to_end} through the real servers, print JSON
	@$(ACTIONS_PY) -m assistant.runtime.answer_eval

bench-routing: setup-data  ## per-message cost of the knowledge retriever and the router inside Rasa (JSON)
	@$(RASA_PY) -m bench.routing_cost

kb-build: setup-data       ## (re)build the knowledge-base index; unchanged chunks are not re-embedded
	$(ACTIONS_PY) -m knowledge_base build

kb-eval: setup-data        ## retrieval and abstention figures per encoder and mode (JSON)
	@$(ACTIONS_PY) -m knowledge_base eval

kb-bench: setup-data       ## faiss flat vs IVF vs HNSW search time and recall by catalogue size (JSON)
	@$(ACTIONS_PY) -m bench.kb_index

bench: setup               ## closed loop: 50 concurrent shoppers, every scenario, vs a plain `rasa init` bot (JSON; BENCH_ARGS=...)
	@$(ACTIONS_PY) -m bench.load $(BENCH_ARGS)

bench-open: setup          ## open loop: 30 msg/s (Poisson) for 60 s, latency from the scheduled send (JSON; BENCH_ARGS=...)
	@$(ACTIONS_PY) -m bench.load --open-loop 30 --duration 60 $(BENCH_ARGS)

bench-sweep: setup         ## open loop at 10, 20 and 30 msg/s, 60 s each: latency over load (JSON and plot in var/bench/)
	@$(ACTIONS_PY) -m bench.load --rates 10,20,30 --duration 60 $(BENCH_ARGS)

bench-train: setup-data    ## time a full training from scratch (no Rasa cache), print JSON; fails over 6 minutes
	@$(ACTIONS_PY) -m bench.train_time

agent: setup-data          ## create a support-console agent: make agent USERNAME=alice NAME="Alice Smith"
	@test -n "$(USERNAME)" || { echo "usage: make agent USERNAME=alice NAME=\"Alice Smith\""; exit 2; }
	$(ACTIONS_PY) -m assistant.console add-agent "$(USERNAME)" --name "$(NAME)"

agent-password: setup-data ## set an agent's password: make agent-password USERNAME=alice
	@test -n "$(USERNAME)" || { echo "usage: make agent-password USERNAME=alice"; exit 2; }
	$(ACTIONS_PY) -m assistant.console set-password "$(USERNAME)"

export-customer: setup-data ## everything held about a customer, as JSON: make export-customer EMAIL=jane@example.com
	@test -n "$(EMAIL)" || { echo "usage: make export-customer EMAIL=jane@example.com"; exit 2; }
	@$(ACTIONS_PY) -m assistant.runtime.privacy export-customer "$(EMAIL)"

erase-customer: setup-data  ## erase a customer's support data and conversations: make erase-customer EMAIL=... [YES=1]
	@test -n "$(EMAIL)" || { echo "usage: make erase-customer EMAIL=jane@example.com YES=1"; exit 2; }
	@$(ACTIONS_PY) -m assistant.runtime.privacy erase-customer "$(EMAIL)" $(if $(YES),--yes,)

retention: setup-data      ## delete conversations and closed cases older than the privacy policy's 90 days
	@$(ACTIONS_PY) -m assistant.runtime.privacy retention

clean:                     ## remove venvs, models, databases and logs
	rm -rf .venv-rasa .venv-actions models var .rasa
