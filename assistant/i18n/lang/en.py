"""English: the default language, and the fallback of every phrase."""
from assistant.i18n.lang.base import Language

LANGUAGE = Language(
    code="en", english_name="English", native_name="English", short_label="EN",
    names=("english", "英文", "英语", "英語", "えいご", "英語で"),
    browser_prefixes=("en",),
    asks_how="\\?|^\\s*(how|what|what's|whats|which|why|when|where (do|can|could|should|would) i|(can|could|may|should|do|am|will|would) i|(is|are|can|do|does|will|would|should|has|have)(?! (my|you|u|ur|your order)\\b)|is there|are there|do you|if i)\\b|\\b(is it possible|am i allowed|allowed to|how (do|can|does|long|much|many|should|soon)|what happens|what if|any way to|what now|what should i|what can i|what do i|how come|at what (point|stage|time)|(can|could|may|should|do) i (still|also|just|even)?\\s?\\w+)\\b",
    own_order='\\b(my|our)\\s+(\\w+\\s+){0,2}?(order|orders|parcel|package|delivery|refund|return|purchase|item|items|shoes|boots|jacket|stuff)\\b|\\bi (ordered|bought|purchased|paid)\\b',
    asks_to_act="\\b(can|could|would|will) (you|u) (?!ever\\b|tell me (how|what|if|whether|why))|\\b(please|pls|plz)\\b|\\bi(?:'d| would)? (want|wanna|need|would like|'d like) to (cancel|change|return|swap|exchange|refund|get|update|add|send)\\b|^\\s*(cancel|change|start|return|refund|check|track|update|transfer|connect|get me|help me|look up|find)\\b|\\bwhere('s| is| are) (my|the) (order|orders|parcel|package|refund|stuff|delivery)\\b|\\bstatus of (my|the)\\b|\\b(has|have|did) (my|the) \\w+( \\w+)? (shipped|arrived|come|gone|been)\\b|\\bwhen (will|is) my\\b|\\bi want (a|my) (refund|money)\\b|\\b(has|have|is|are|did|was|were|does) (my|our) (\\w+ )?(order|orders|parcel|package|refund|return|delivery|stuff|item|items|money|boots|shoes|jacket)\\b|\\bwhen (will|do|does|is|can|should|would) (i|my|it|they)\\b|\\b(talk|speak|chat) (to|with) (a |an )?(human|person|someone|somebody|agent|representative|real)",
    asks_size="\\bwhich size\\b|\\bwhat size\\b|\\bsize (up|down)\\b|\\bbetween (two|2) sizes\\b|\\bbetween (an? )?\\w{1,4} (and|or) (an? )?\\w{1,4}\\b.*\\b(size|which|one)\\b|\\b(chest|bust|waist|hips?|inseam|foot|feet|height)\\b[^.?!]{0,20}\\d|\\d+ ?(cm|mm|in|inch|inches)\\b|\\bruns? (small|large|big|true)\\b|\\b(is|are) (that|it|they) (an? )?(xs|s|m|l|xl|xxl)\\b",
)
