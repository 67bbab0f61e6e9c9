"""Draft the Northwind Outfitters demo catalogue and demo customers.

The YAML files are the source of truth:

* ``knowledge_base/content/products/catalog.yml`` (products)
* ``assistant/shop/demo/seed_data/customers.yml`` (customers)

This script only drafted them once, from hand-written per-category building blocks
(name parts, description sentence pools, spec value pools, review sentence pools)
and a fixed seed (``random.Random(7)``), so re-running it reproduces the same files.
Edit the YAML directly for small fixes; re-run the script only to redraft everything.

Usage::

    .venv-actions/bin/python knowledge_base/tools/generate_catalog.py          # write + check
    .venv-actions/bin/python knowledge_base/tools/generate_catalog.py --check  # check only
"""
from __future__ import annotations

import argparse
import random
import re
import sys
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]
CATALOG = REPO / "knowledge_base" / "content" / "products" / "catalog.yml"
CUSTOMERS = REPO / "assistant" / "shop" / "demo" / "seed_data" / "customers.yml"

COLORS = ["black", "white", "grey", "navy", "blue", "red", "green", "olive", "khaki", "beige",
          "brown", "orange", "yellow", "pink", "purple", "teal", "burgundy"]
EARTHY = ["black", "grey", "navy", "olive", "khaki", "brown", "green", "beige", "blue"]
APPAREL = ["XS", "S", "M", "L", "XL", "XXL"]
FIRST = ["Ridgeline", "Summit", "Cascade", "Alpine", "Timberline", "Granite", "Fjord", "Tundra",
         "Sierra", "Kestrel", "Harbor", "Cedar", "Basalt", "Northwind", "Glacier", "Drift",
         "Canyon", "Aspen", "Boreal", "Meridian", "Pioneer", "Coastal", "Highland", "Larch"]
SUFFIX = ["", "", "", " 2", " 3", " Pro", " Lite", " LT", " II", " Plus", " Classic"]

# Each category: code, how many products, price range, size scheme, subcategories
# (label, name noun, genders), spec pools, materials, care, uses, tags, description
# pools (intro / material / feature / fit) and category review lines (good / bad).
# Placeholders: {name} {sub} {use} {mat} {weight} {noun}.
CATEGORIES: dict[str, dict] = {
    "shoes": dict(
        code="SHO", count=22, price=(55, 190), sizes="shoe", noun="these shoes",
        subs=[("trail running shoes", "Trail Runner", "umw"), ("road running shoes", "Road Runner", "umw"),
              ("hiking shoes", "Hiker", "umw"), ("approach shoes", "Approach", "u"), ("sandals", "Sandal", "umw"),
              ("casual sneakers", "Sneaker", "umw")],
        specs={"weight": (220, 480), "waterproof": 0.3, "drop": ["4 mm", "6 mm", "8 mm", "10 mm"],
               "fit": ["true to size", "runs small, size up half a size", "wide toe box", "narrow heel"],
               "outsole": ["sticky rubber", "multi-directional lugs", "low-profile road rubber"]},
        materials=["Mesh upper, EVA midsole, rubber outsole", "Recycled knit upper, foam midsole, rubber outsole",
                   "Suede and mesh upper, EVA midsole, Vibram-style outsole", "Synthetic upper, PU midsole, rubber outsole"],
        care=["Hand wash cold, air dry away from heat.", "Brush off dirt, wipe with a damp cloth, air dry."],
        tags=["lightweight", "breathable", "cushioned", "grippy", "vegan", "recycled materials", "everyday"],
        intro=["The {name} is built for {use}, with a secure heel and a responsive ride.",
               "Meet the {name}: {sub} that feel at home on {use}.",
               "Designed around {use}, the {name} balances grip, cushioning and comfort."],
        mat=["A {mat} keeps the shoe breathable and quick to dry.",
             "Its {mat} holds the foot without hot spots, even on longer outings."],
        feat=["At about {weight} per shoe it stays light enough for fast days.",
              "A protective toe bumper shrugs off roots and rocks.",
              "The removable insole leaves room for your own orthotics."],
        fit=["Most customers find the fit true to size; check the size guide if you are between sizes.",
             "The roomy forefoot lets toes splay naturally on long descents."],
        good=["Great grip on wet rock.", "Comfortable straight out of the box.", "No blisters after a 20 km day."],
        bad=["The laces keep coming undone.", "Sole wore down faster than I expected.", "Runs a bit narrow for me."]),
    "boots": dict(
        code="BOO", count=20, price=(110, 320), sizes="shoe", noun="these boots",
        subs=[("hiking boots", "Hiking Boot", "umw"), ("winter boots", "Snow Boot", "mw"), ("rain boots", "Rain Boot", "uw"),
              ("mountaineering boots", "Mountain Boot", "u"), ("chelsea boots", "Chelsea", "mw")],
        specs={"weight": (480, 980), "waterproof": 0.75, "shaft height": ["ankle", "mid", "high"],
               "fit": ["true to size", "runs small, size up half a size", "roomy toe box"],
               "insulation": ["none", "200 g synthetic", "400 g synthetic", "wool felt liner"]},
        materials=["Full-grain leather upper, rubber outsole", "Nubuck leather and textile upper, EVA midsole, rubber outsole",
                   "Natural rubber shell, neoprene lining", "Suede upper, waterproof membrane, lugged rubber outsole"],
        care=["Brush off mud, wipe clean, treat leather with wax twice a season.", "Rinse with water, air dry away from heat."],
        tags=["durable", "supportive", "insulated", "resoleable", "all-season"],
        intro=["The {name} is a dependable pair of {sub} for {use}.",
               "Built for {use}, the {name} gives solid ankle support without feeling stiff.",
               "From trailhead to hut, the {name} handles {use} with ease."],
        mat=["The {mat} ages well and softens with every outing.", "A {mat} keeps its shape season after season."],
        feat=["Each boot weighs around {weight}.", "A deep lug pattern bites into mud and loose gravel.",
              "The gusseted tongue keeps grit and snow out."],
        fit=["Allow a few short walks to break them in.", "Leave a thumb's width at the toe for downhill comfort."],
        good=["Kept my feet dry through a week of rain.", "Zero break-in time needed.", "Warm even at -15 °C."],
        bad=["Heavier than I'd like.", "Took a while to break in.", "Started leaking after one season."]),
    "jackets": dict(
        code="JAC", count=24, price=(60, 450), sizes="apparel", noun="this jacket",
        subs=[("rain jackets", "Rain Shell", "umw"), ("down jackets", "Down Jacket", "mw"),
              ("insulated parkas", "Parka", "mw"), ("softshell jackets", "Softshell", "umw"),
              ("windbreakers", "Wind Jacket", "u"), ("hardshell jackets", "Hardshell", "mw"),
              ("kids' rain jackets", "Puddle Jacket", "k")],
        specs={"weight": (180, 950), "waterproof": 0.55, "fit": ["regular", "athletic", "relaxed"],
               "hood": ["helmet-compatible", "adjustable", "stowable", "none"],
               "pockets": ["2 hand pockets", "2 hand pockets, 1 chest pocket", "3 zip pockets"]},
        care=["Machine wash cold, tumble dry low to restore water repellency.",
              "Machine wash cold with down detergent, tumble dry low with dryer balls."],
        tags=["packable", "windproof", "breathable", "stretch", "recycled materials"],
        intro=["The {name} is a versatile jacket for {use}.", "Made for {use}, the {name} keeps weather out and warmth in.",
               "Whether it's {use} or a quick errand, the {name} has you covered."],
        mat=["Its {mat} construction balances protection and breathability.",
             "A {mat} build keeps it tough without adding bulk."],
        feat=["At roughly {weight}, it is easy to stash in a pack.", "A two-way front zip adds venting options.",
              "The hem and cuffs adjust to seal out drafts."],
        fit=["The cut leaves room for a fleece underneath.", "An athletic cut keeps it trim when layering light."],
        good=["Kept me dry in a proper downpour.", "Warm and surprisingly light.", "Hood fits over my helmet perfectly."],
        bad=["Wetted out after a few hours of rain.", "Sleeves are a bit short.", "Zip feels flimsy for the price."]),
    "fleeces": dict(
        code="FLE", count=18, price=(40, 150), sizes="apparel", noun="this fleece",
        subs=[("full-zip fleeces", "Fleece Jacket", "umw"), ("half-zip fleeces", "Quarter Zip", "umw"),
              ("grid fleeces", "Grid Hoody", "mw"), ("sherpa fleeces", "Sherpa", "mwk")],
        specs={"weight": (220, 520), "fabric weight": ["100 weight", "200 weight", "300 weight"],
               "fit": ["regular", "relaxed", "slim"], "warmth": ["light", "medium", "warm"]},
        materials=["100% recycled polyester fleece", "Polartec-style grid fleece, polyester",
                   "Polyester sherpa with nylon overlays"],
        care=["Machine wash cold, tumble dry low. Do not iron.", "Machine wash cold inside out, hang dry."],
        uses=["chilly mornings at camp", "layering under a shell", "autumn hikes", "lazy weekends"],
        tags=["cozy", "layering", "quick-drying", "recycled materials", "breathable"],
        intro=["The {name} is a go-to mid-layer for {use}.", "Soft and warm, the {name} shines on {use}.",
               "Pull on the {name} for {use} and forget about the cold."],
        mat=["Made from {mat}, it stays warm even when damp.", "The {mat} feels soft against the skin."],
        feat=["It weighs about {weight} and compresses well.", "Zippered hand pockets keep essentials secure.",
              "Thumb loops keep the sleeves in place under a shell."],
        fit=["Sized to layer comfortably under a rain jacket.", "A slightly longer back hem adds coverage."],
        good=["So soft, I live in it.", "Perfect weight for spring.", "Didn't pill after many washes."],
        bad=["Pills around the cuffs.", "Attracts pet hair like crazy.", "Warmer than expected, too warm for hiking."]),
    "t-shirts": dict(
        code="TSH", count=20, price=(20, 45), sizes="apparel", noun="this tee",
        subs=[("graphic t-shirts", "Graphic Tee", "umwk"), ("merino t-shirts", "Merino Tee", "mw"),
              ("performance t-shirts", "Tech Tee", "mw"), ("long-sleeve t-shirts", "Long Sleeve Tee", "umw")],
        specs={"weight": (110, 220), "fit": ["regular", "slim", "relaxed"], "neckline": ["crew", "v-neck"],
               "UPF": ["none", "UPF 30", "UPF 50"]},
        materials=["100% organic cotton", "Merino wool blend (65% merino, 35% nylon)", "Recycled polyester jersey",
                   "Cotton-hemp blend"],
        care=["Machine wash cold, tumble dry low.", "Machine wash cold on wool cycle, dry flat."],
        uses=["warm-weather hikes", "everyday wear", "travel", "gym sessions", "summer festivals"],
        tags=["breathable", "odor-resistant", "soft", "everyday", "quick-drying"],
        intro=["The {name} is an easy tee for {use}.", "A reliable staple, the {name} is made for {use}.",
               "Keep it simple with the {name}, ideal for {use}."],
        mat=["The {mat} stays soft wash after wash.", "Cut from {mat}, it breathes well on hot days."],
        feat=["At around {weight}, it's light enough to pack a few.", "Flatlock seams prevent chafing under a pack strap.",
              "A tagless neck label keeps it itch-free."],
        fit=["The fit is true to size with a little room through the body.",
             "Pre-shrunk, so the size you buy is the size you keep."],
        good=["Soft and holds its shape.", "Doesn't smell even after days of travel.", "Great print quality."],
        bad=["Shrank a little in the dryer.", "Fabric is thinner than expected.", "Print started cracking."]),
    "shirts": dict(
        code="SHI", count=18, price=(35, 110), sizes="apparel", noun="this shirt",
        subs=[("flannel shirts", "Flannel", "mw"), ("hiking shirts", "Trail Shirt", "mw"),
              ("linen shirts", "Linen Shirt", "mw"), ("overshirts", "Overshirt", "m")],
        specs={"weight": (180, 420), "fit": ["regular", "slim", "relaxed"], "sleeve": ["long", "short", "roll-up"],
               "UPF": ["none", "UPF 30", "UPF 50"]},
        care=["Machine wash cold, hang dry.", "Machine wash warm, tumble dry low, warm iron if needed."],
        tags=["button-up", "sun protection", "breathable", "classic", "everyday"],
        intro=["The {name} is a button-up made for {use}.", "From town to trail, the {name} suits {use}.",
               "Dress it up or down: the {name} handles {use}."],
        mat=["It's made of {mat} that gets better with every wash.", "The {mat} feels substantial yet breathable."],
        feat=["Two chest pockets with button flaps keep small items safe.", "Roll-up tabs hold the sleeves in place.",
              "At about {weight}, it layers easily under a jacket."],
        fit=["Cut with a slightly longer hem so it stays tucked.", "Relaxed through the shoulders for easy movement."],
        good=["Looks sharp and feels great.", "Perfect on hot days.", "Quality buttons and stitching."],
        bad=["Wrinkles very easily.", "Collar lost its shape after washing.", "Runs a little large."]),
    "pants": dict(
        code="PAN", count=20, price=(45, 180), sizes="apparel", noun="these pants",
        subs=[("hiking pants", "Trail Pant", "mw"), ("convertible pants", "Zip-Off Pant", "mw"),
              ("rain pants", "Rain Pant", "umw"), ("climbing pants", "Climb Pant", "u"), ("joggers", "Jogger", "umwk"),
              ("ski pants", "Ski Pant", "mw")],
        specs={"weight": (250, 620), "waterproof": 0.3, "fit": ["regular", "slim", "relaxed"],
               "inseam": ["30 in", "32 in", "34 in", "regular and long"], "pockets": ["4", "5", "6"]},
        materials=["Stretch nylon with DWR finish", "Organic cotton canvas", "2.5-layer waterproof nylon",
                   "Recycled polyester-elastane blend"],
        care=["Machine wash cold, tumble dry low.", "Machine wash cold, hang dry, re-apply DWR as needed."],
        tags=["stretch", "durable", "quick-drying", "articulated knees", "packable"],
        intro=["The {name} is made for {use}.", "Move freely on {use} in the {name}.",
               "The {name} keeps up on {use} and looks good in town."],
        mat=["The {mat} stretches with you on high steps.", "Its {mat} fabric resists abrasion from rock and brush."],
        feat=["Articulated knees and a gusseted crotch add freedom of movement.", "A zip thigh pocket holds a phone securely.",
              "They weigh about {weight}, so they pack down small."],
        fit=["An adjustable waistband fine-tunes the fit.", "Tapered legs stay clear of crampons and bike chains."],
        good=["Best hiking pants I've owned.", "The stretch is fantastic.", "Lots of useful pockets."],
        bad=["Waist runs tight.", "Fabric snagged on brambles.", "Too warm for summer."]),
    "shorts": dict(
        code="SHR", count=18, price=(25, 75), sizes="apparel", noun="these shorts",
        subs=[("hiking shorts", "Trail Short", "mw"), ("running shorts", "Run Short", "mw"),
              ("swim shorts", "Swim Short", "mk"), ("cargo shorts", "Cargo Short", "m")],
        specs={"weight": (110, 320), "inseam": ["5 in", "7 in", "9 in", "11 in"], "fit": ["regular", "relaxed", "slim"],
               "liner": ["none", "brief liner", "compression liner"]},
        materials=["Stretch nylon", "Recycled polyester with mesh liner", "Quick-dry recycled polyester", "Cotton ripstop"],
        care=["Machine wash cold, hang dry.", "Rinse after salt water, machine wash cold, hang dry."],
        uses=["hot summer hikes", "tempo runs", "beach days", "camp chores"],
        tags=["quick-drying", "lightweight", "stretch", "summer", "everyday"],
        intro=["The {name} is made for {use}.", "Stay cool on {use} in the {name}.",
               "Light and simple, the {name} is ready for {use}."],
        mat=["The {mat} dries fast after a dip or a sweaty climb.", "Made from {mat}, they move easily with every stride."],
        feat=["They weigh only about {weight}.", "A zippered back pocket holds keys and gels.",
              "An elastic waist with drawcord keeps them in place."],
        fit=["True to size with a comfortable, non-restrictive cut.", "The inseam sits just above the knee."],
        good=["Dry in minutes.", "Great pockets for a phone.", "Comfortable on long runs."],
        bad=["Liner is a bit tight.", "Colour faded quickly.", "Shorter than expected."]),
    "dresses": dict(
        code="DRE", count=14, price=(45, 130), sizes="apparel", noun="this dress",
        subs=[("active dresses", "Active Dress", "w"), ("travel dresses", "Travel Dress", "w"),
              ("sweater dresses", "Knit Dress", "w"), ("kids' dresses", "Play Dress", "k")],
        specs={"weight": (160, 420), "length": ["above knee", "knee length", "midi"], "fit": ["regular", "relaxed", "fitted"],
               "pockets": ["yes", "no"]},
        materials=["Recycled polyester-spandex jersey", "Tencel lyocell blend", "Merino wool knit", "Organic cotton jersey"],
        care=["Machine wash cold, hang dry.", "Hand wash cold, dry flat."],
        uses=["summer travel", "warm-weather trail days", "city weekends", "chilly autumn outings"],
        tags=["wrinkle-resistant", "packable", "stretch", "everyday", "travel"],
        intro=["The {name} is a comfortable choice for {use}.", "Pack the {name} for {use}; it goes from trail to dinner.",
               "The {name} is made for {use} without fuss."],
        mat=["The {mat} drapes nicely and resists wrinkles.", "Cut from {mat}, it feels soft and breathable."],
        feat=["Hidden side pockets hold a phone.", "Built-in shorts make it easy to move in.",
              "At about {weight}, it rolls up small in a daypack."],
        fit=["The fit is flattering without feeling tight.", "An adjustable waist tie tailors the silhouette."],
        good=["Pockets! Love it.", "Didn't wrinkle in my suitcase.", "Comfortable all day."],
        bad=["Fabric clings more than I'd like.", "Length was shorter than pictured.", "Straps slip off my shoulders."]),
    "socks": dict(
        code="SOC", count=18, price=(8, 25), sizes="socks", noun="these socks",
        subs=[("hiking socks", "Hiker Sock", "umw"), ("running socks", "Run Sock", "u"), ("ski socks", "Ski Sock", "umw"),
              ("everyday socks", "Everyday Crew", "umwk")],
        specs={"cushioning": ["light", "medium", "full"], "height": ["no-show", "ankle", "quarter", "crew", "over-the-calf"],
               "fit": ["snug", "regular"], "pack size": ["single pair", "2-pack", "3-pack"]},
        materials=["Merino wool, nylon, elastane", "Recycled polyester, nylon, elastane", "Organic cotton, nylon, elastane"],
        care=["Machine wash warm inside out, tumble dry low.", "Machine wash cold, air dry."],
        uses=["long trail days", "tempo runs", "ski days", "everyday comfort"],
        tags=["arch support", "cushioned", "odor-resistant", "seamless toe", "everyday"],
        intro=["The {name} keeps feet happy on {use}.", "Made for {use}, the {name} blends cushioning with breathability.",
               "The {name} is a sock you'll reach for on {use}."],
        mat=["Its {mat} blend wicks moisture and resists odour.", "Its {mat} knit stays soft and springy."],
        feat=["A seamless toe eliminates rubbing.", "Arch support keeps the sock from sliding around.",
              "Reinforced heel and toe zones add durability."],
        fit=["Sizes run true; pick the size that matches your shoe size chart.", "A snug cuff stops them slipping down."],
        good=["Warm and no blisters.", "Still going strong after a year.", "Comfiest socks I own."],
        bad=["Got a hole in the heel quickly.", "A bit thick for my running shoes.", "Shrank after washing hot."]),
    "hats": dict(
        code="HAT", count=16, price=(18, 60), sizes="hat", noun="this hat",
        subs=[("beanies", "Beanie", "ukw"), ("sun hats", "Sun Hat", "umwk"), ("caps", "Trucker Cap", "u"),
              ("rain hats", "Rain Bucket", "u")],
        specs={"weight": (40, 140), "waterproof": 0.2, "fit": ["adjustable", "stretch", "snug"], "UPF": ["none", "UPF 50"]},
        care=["Hand wash cold, dry flat.", "Spot clean only."],
        tags=["sun protection", "warm", "packable", "adjustable", "everyday"],
        intro=["The {name} is made for {use}.", "Top off {use} with the {name}.", "The {name} is an easy pick for {use}."],
        mat=["It's crafted from {mat} for comfort all day.", "The {mat} keeps it light and comfortable."],
        feat=["It weighs just {weight}.", "A sweatband wicks moisture away from the brow.", "It folds flat into a pocket."],
        fit=["It fits most head sizes comfortably.", "A soft inner band keeps it comfortable all day."],
        good=["Fits perfectly.", "Keeps the sun off my neck.", "Warm without being itchy."],
        bad=["Blew off in the wind.", "Brim lost its shape.", "A bit itchy on the forehead."]),
    "gloves": dict(
        code="GLO", count=14, price=(20, 120), sizes="gloves", noun="these gloves",
        subs=[("liner gloves", "Liner Glove", "u"), ("ski gloves", "Ski Glove", "mwk"), ("mittens", "Mitten", "uk"),
              ("touchscreen gloves", "Touch Glove", "u")],
        specs={"weight": (40, 220), "waterproof": 0.4, "touchscreen": ["yes", "no"],
               "insulation": ["none", "100 g synthetic", "down-filled", "fleece lined"]},
        materials=["Merino wool and nylon", "Nylon shell, goat leather palm, synthetic insulation",
                   "Recycled polyester fleece", "Softshell with silicone grip"],
        care=["Hand wash cold, air dry.", "Spot clean, air dry away from direct heat."],
        tags=["warm", "touchscreen-friendly", "insulated", "windproof", "grippy"],
        intro=["The {name} keeps hands warm on {use}.", "Built for {use}, the {name} balances warmth and dexterity.",
               "The {name} is the pair to grab for {use}."],
        mat=["A {mat} construction holds warmth in.", "Its {mat} build stays flexible in the cold."],
        feat=["Each pair weighs around {weight}.", "Long gauntlets seal over jacket cuffs.",
              "Pre-curved fingers reduce hand fatigue."],
        fit=["Measure around your knuckles to choose a size.", "A snug fit keeps dexterity high."],
        good=["Warm at -10 °C.", "Touchscreen tips really work.", "Good grip on ski poles."],
        bad=["Fingers are too long for me.", "Seams split after a season.", "Not warm enough on very cold days."]),
    "backpacks": dict(
        code="BAC", count=20, price=(45, 320), sizes="one", noun="this pack",
        subs=[("daypacks", "Daypack", "u"), ("hiking backpacks", "Trek Pack", "umw"), ("travel backpacks", "Travel Pack", "u"),
              ("hydration packs", "Hydro Vest", "u"), ("kids' backpacks", "Mini Pack", "k")],
        specs={"weight": (350, 2200), "waterproof": 0.25, "capacity": ["12 L", "18 L", "24 L", "30 L", "40 L", "55 L", "65 L"],
               "laptop sleeve": ["yes", "no"], "hip belt": ["padded", "webbing", "none"]},
        materials=["Recycled ripstop nylon, polyester lining", "Coated polyester, aluminium frame stay",
                   "Waxed canvas with leather trim", "Roll-top TPU-laminated nylon"],
        care=["Spot clean with mild soap and water, air dry.", "Empty, shake out, wipe clean, air dry unzipped."],
        tags=["ventilated back", "hydration compatible", "carry-on size", "durable", "lightweight"],
        intro=["The {name} is a well-organised pack for {use}.", "Load up the {name} for {use}.",
               "Built for {use}, the {name} carries comfortably all day."],
        mat=["Its {mat} body shrugs off scrapes and drizzle.", "A {mat} build keeps weight down without sacrificing strength."],
        feat=["The empty pack weighs about {weight}.", "Side stretch pockets hold bottles within reach.",
              "Quick-access pockets keep snacks and a phone within reach."],
        fit=["An adjustable sternum strap keeps the load stable.", "Padded shoulder straps spread the load evenly."],
        good=["Carries weight really well.", "So many smart pockets.", "Fits airline carry-on limits."],
        bad=["Hip belt pockets are tiny.", "Back gets sweaty.", "Zip pull broke after a month."]),
    "bags": dict(
        code="BAG", count=16, price=(25, 180), sizes="one", noun="this bag",
        subs=[("duffel bags", "Duffel", "u"), ("tote bags", "Tote", "u"), ("dry bags", "Dry Bag", "u"),
              ("hip packs", "Hip Pack", "u"), ("messenger bags", "Messenger", "u")],
        specs={"weight": (80, 1400), "waterproof": 0.35, "capacity": ["2 L", "5 L", "10 L", "20 L", "40 L", "70 L", "90 L"],
               "closure": ["zip", "roll-top", "magnetic buckle", "drawcord"]},
        materials=["TPU-coated recycled polyester", "Heavy cotton canvas", "Ripstop nylon",
                   "Recycled nylon with leather handles"],
        care=["Wipe clean with a damp cloth.", "Hand wash cold, air dry."],
        tags=["durable", "packable", "everyday", "travel", "lightweight"],
        intro=["The {name} is a reliable bag for {use}.", "Throw everything into the {name} for {use}.",
               "Made for {use}, the {name} keeps gear together."],
        mat=["Its {mat} stands up to years of use.", "The {mat} is easy to wipe clean."],
        feat=["It weighs about {weight} empty.", "Grab handles at both ends make loading easy.",
              "A zip pocket keeps small items organised."],
        fit=["A padded shoulder strap adjusts for carrying comfort.", "Compact enough to stash under a plane seat."],
        good=["Tough as nails.", "Holds a surprising amount.", "Handy for every trip."],
        bad=["Strap digs in when full.", "No inner pockets.", "Smaller than I thought."]),
    "tents": dict(
        code="TEN", count=16, price=(120, 700), sizes="tent", noun="this tent",
        subs=[("backpacking tents", "Backpacking Tent", "u"), ("family tents", "Family Dome", "u"),
              ("ultralight tents", "UL Shelter", "u"), ("four-season tents", "Expedition Tent", "u")],
        specs={"weight": (900, 7500), "waterproof": 1.0, "seasons": ["3-season", "3+ season", "4-season"],
               "packed size": ["40 x 15 cm", "50 x 18 cm", "60 x 25 cm", "70 x 30 cm"], "doors": ["1", "2"],
               "hydrostatic head": ["1500 mm", "3000 mm", "5000 mm"]},
        materials=["Silicone-coated ripstop nylon fly, aluminium poles", "Polyester fly, fibreglass poles",
                   "Dyneema-style composite fabric, carbon poles"],
        care=["Dry fully before storing, wipe with a damp cloth, never machine wash.",
              "Pitch to dry after every trip; store loosely in a dry place."],
        tags=["freestanding", "easy pitch", "packable", "vestibule", "lightweight"],
        intro=["The {name} is a trusted shelter for {use}.", "Pitch the {name} for {use} in minutes.",
               "Designed for {use}, the {name} keeps weather out and space in."],
        mat=["Its {mat} construction sheds rain and holds firm in wind.", "The {mat} keeps packed weight sensible."],
        feat=["The trail weight is around {weight}.", "Colour-coded clips make pitching foolproof.",
              "Roomy vestibules give space for boots and packs."],
        fit=["Check the floor dimensions if you are over 185 cm tall.", "Interior pockets keep headlamps and phones handy."],
        good=["Bone dry in a thunderstorm.", "Quick to pitch, even in the dark.", "Plenty of headroom."],
        bad=["Condensation on cold nights.", "Stakes bend easily.", "Heavier than listed."]),
    "sleeping bags": dict(
        code="SLB", count=14, price=(70, 400), sizes="bag", noun="this bag",
        subs=[("summer sleeping bags", "Summer Bag", "u"), ("three-season sleeping bags", "Three-Season Bag", "umw"),
              ("winter sleeping bags", "Winter Bag", "u"), ("kids' sleeping bags", "Junior Bag", "k")],
        specs={"weight": (600, 2100),
               "temperature rating": ["10 °C / 50 °F", "4 °C / 40 °F", "-1 °C / 30 °F", "-7 °C / 20 °F", "-18 °C / 0 °F"],
               "fill": ["650-fill down", "800-fill down", "synthetic"], "shape": ["mummy", "semi-rectangular", "rectangular"],
               "zip": ["left", "right"]},
        materials=["Nylon shell, responsibly sourced down fill", "Recycled polyester shell, synthetic fill",
                   "Ripstop nylon shell, hydrophobic down"],
        care=["Hand wash or front-load machine wash with down wash, tumble dry low with dryer balls; store uncompressed.",
              "Machine wash cold on gentle, tumble dry low; store loose."],
        tags=["compressible", "warm", "lightweight", "draft collar", "packable"],
        intro=["The {name} keeps you warm on {use}.", "Sleep soundly on {use} in the {name}.",
               "The {name} is built for {use}."],
        mat=["Its {mat} lofts up quickly after unpacking.", "Its {mat} packs down small in a pack."],
        feat=["It weighs about {weight}.", "A contoured hood and draft collar trap heat.",
              "An anti-snag zip runs smoothly at night."],
        fit=["Choose long if you are taller than 183 cm.", "Roomy at the knees for side sleepers."],
        good=["Toasty at freezing temps.", "Packs really small.", "Very comfortable."],
        bad=["Cold at its rated temperature.", "Zip snags a lot.", "Too narrow for me."]),
    "camping gear": dict(
        code="CAM", count=18, price=(12, 220), sizes="one", noun="this piece of kit",
        subs=[("stoves", "Stove", "u"), ("cookware", "Cook Set", "u"), ("headlamps", "Headlamp", "u"),
              ("sleeping pads", "Sleeping Pad", "u"), ("camp chairs", "Camp Chair", "u"),
              ("water filters", "Water Filter", "u")],
        specs={"weight": (60, 1800), "waterproof": 0.2, "packed size": ["compact", "mid-size", "large"],
               "power": ["n/a", "USB-C rechargeable", "3 x AAA", "canister gas"],
               "warranty": ["1 year", "2 years", "lifetime"]},
        care=["Wipe clean and dry before storing.", "Rinse after use and dry fully before packing away."],
        tags=["compact", "lightweight", "durable", "easy to use", "backcountry"],
        intro=["The {name} is a dependable pick for {use}.", "Round out your kit for {use} with the {name}.",
               "The {name} makes {use} easier."],
        mat=["Made from {mat}, it's tough enough for years of trips.", "Its {mat} build keeps it light and robust."],
        feat=["It weighs roughly {weight}.", "It comes with a protective stuff sack.",
              "Built to survive knocks, drops and years of trips."],
        fit=["Spare parts are available on request.", "Simple to use, even with cold hands."],
        good=["Works flawlessly.", "Tiny and light.", "Great value."],
        bad=["Instructions were unclear.", "A bit fiddly to set up.", "Broke on the second trip."]),
    "accessories": dict(
        code="ACC", count=16, price=(10, 90), sizes="one", noun="this",
        subs=[("sunglasses", "Shades", "u"), ("water bottles", "Bottle", "u"), ("trekking poles", "Trekking Poles", "u"),
              ("belts", "Web Belt", "u"), ("neck gaiters", "Neck Gaiter", "uk"), ("gaiters", "Trail Gaiter", "u")],
        specs={"weight": (30, 520), "waterproof": 0.25, "capacity/size": ["n/a", "500 ml", "750 ml", "1 L", "105-135 cm"],
               "warranty": ["1 year", "2 years", "lifetime"]},
        care=["Wipe clean.", "Hand wash, air dry."],
        tags=["everyday", "lightweight", "durable", "gift idea", "travel"],
        intro=["The {name} is a handy extra for {use}.", "Add the {name} to your kit for {use}.",
               "Small but useful, the {name} earns its place on {use}."],
        mat=["It's made from {mat} for durability.", "The {mat} holds up to daily use."],
        feat=["It weighs only {weight}.", "Small enough to keep in any pack.", "Backed by a generous warranty."],
        fit=["A simple, no-fuss design that just works.", "It makes a good gift for any outdoor lover."],
        good=["Use it every day.", "Excellent quality.", "Nice gift."],
        bad=["Scratches easily.", "Smaller than I expected.", "Clip broke."]),
}

# Per-subcategory overrides of the category pools (keys: uses, materials, tags, price, specs;
# a spec pool of None drops that spec), so that a rain boot is not sold for alpine scrambles.
NO, YES = {"waterproof": 0.0}, {"waterproof": 1.0}
SUB: dict[str, dict] = {
    "trail running shoes": dict(uses=["rocky trails", "muddy forest paths", "mountain ultras"]),
    "road running shoes": dict(uses=["daily road miles", "tempo runs", "marathon training"], specs=NO),
    "hiking shoes": dict(uses=["long day hikes", "rocky trails", "travel days"]),
    "approach shoes": dict(uses=["scrambles to the crag", "rocky approaches"], specs={"drop": ["4 mm", "6 mm"]}),
    "sandals": dict(uses=["river crossings", "summer trails", "beach days"], price=(55, 95),
        specs={**NO, "drop": None}, mat=["The {mat} dries quickly after a river crossing."],
        feat=["Quick-release buckles make them easy to slip on and off.", "At about {weight} per sandal they pack flat in a daypack."],
        fit=["Three adjustment points dial in a secure fit."],
        materials=["Webbing straps, EVA footbed, rubber outsole", "Recycled polyester straps, cork footbed, rubber outsole"]),
    "casual sneakers": dict(uses=["city walking", "travel days"],
        specs={**NO, "outsole": ["gum rubber", "cupsole rubber"]}),
    "hiking boots": dict(uses=["multi-day treks", "backpacking trips"], specs={"insulation": ["none"]}),
    "winter boots": dict(uses=["snowy city winters", "winter dog walks"],
        specs={**YES, "insulation": ["200 g synthetic", "400 g synthetic", "wool felt liner"]}),
    "rain boots": dict(uses=["wet spring walks", "muddy festival fields"], price=(110, 160),
        materials=["Natural rubber shell, neoprene lining"],
        specs={**YES, "insulation": ["none", "neoprene lining"]},
        tags=["durable", "easy on/off", "all-season"]),
    "mountaineering boots": dict(uses=["alpine scrambles", "glacier approaches"], price=(240, 320),
        specs={**YES, "weight": (750, 980)}),
    "chelsea boots": dict(uses=["city commutes", "weekend walks"],
        specs={"waterproof": 0.3, "shaft height": ["ankle"], "insulation": ["none"]},
        materials=["Full-grain leather upper, rubber outsole", "Suede upper, lugged rubber outsole"]),
    "rain jackets": dict(uses=["stormy hill walks", "everyday wear in wet cities"], price=(90, 280),
        specs={**YES, "weight": (180, 450)},
        materials=["3-layer recycled nylon with PFC-free DWR", "2.5-layer nylon membrane shell"]),
    "down jackets": dict(uses=["cold commutes", "winter city days", "cold belays"], price=(150, 450), specs=NO,
        materials=["Ripstop nylon, 700-fill responsibly sourced down", "Recycled nylon, 800-fill down"],
        tags=["insulated", "packable", "warm", "windproof"]),
    "insulated parkas": dict(uses=["cold commutes", "snowy city winters"], price=(180, 420),
        specs={"waterproof": 0.5, "weight": (700, 950)},
        materials=["Polyester shell, synthetic insulation"],
        tags=["insulated", "warm", "windproof", "longer length"]),
    "softshell jackets": dict(uses=["ski touring", "windy ridge lines"], price=(90, 220), specs=NO,
        materials=["Stretch polyester softshell with brushed back"]),
    "windbreakers": dict(uses=["windy ridge lines", "trail runs"], price=(60, 130), specs={**NO, "weight": (90, 200)},
        materials=["Ripstop nylon with DWR finish"]),
    "hardshell jackets": dict(uses=["ski touring", "alpine climbs"], price=(250, 450),
        specs={**YES, "hood": ["helmet-compatible"]},
        materials=["3-layer recycled nylon with PFC-free DWR"]),
    "kids' rain jackets": dict(uses=["puddle jumping", "school runs"], price=(60, 110), specs=YES,
        materials=["Recycled polyester with PU coating"],
        tags=["reflective details", "hooded", "packable"]),
    "merino t-shirts": dict(price=(35, 45), materials=["Merino wool blend (65% merino, 35% nylon)"]),
    "performance t-shirts": dict(uses=["gym sessions", "warm-weather hikes"], materials=["Recycled polyester jersey"]),
    "graphic t-shirts": dict(uses=["everyday wear", "summer festivals"],
        materials=["100% organic cotton", "Cotton-hemp blend"]),
    "flannel shirts": dict(uses=["cabin weekends", "autumn camping"], materials=["Brushed cotton flannel"],
        specs={"sleeve": ["long"], "UPF": None}),
    "hiking shirts": dict(uses=["sunny desert hikes", "humid jungle treks"],
        materials=["Nylon-spandex ripstop with mesh vents"], specs={"UPF": ["UPF 30", "UPF 50"]}),
    "linen shirts": dict(uses=["summer travel", "beach evenings"], materials=["100% European linen"],
        specs={"UPF": None}),
    "overshirts": dict(uses=["office-to-trail days", "cool spring evenings"], materials=["Organic cotton twill"],
        specs={"UPF": None}),
    "hiking pants": dict(uses=["long hiking days", "travel"], specs=NO),
    "convertible pants": dict(uses=["long hiking days", "summer treks"], specs=NO),
    "rain pants": dict(uses=["rainy walks", "wet bike commutes"], specs=YES, materials=["2.5-layer waterproof nylon"]),
    "climbing pants": dict(uses=["bouldering sessions", "sport climbing days"], specs=NO,
        materials=["Organic cotton canvas", "Stretch nylon with DWR finish"]),
    "joggers": dict(uses=["lazy weekends", "travel"], price=(45, 80), specs=NO,
        materials=["Recycled polyester-elastane blend", "Organic cotton fleece"]),
    "ski pants": dict(uses=["snowy slopes", "backcountry ski days"], price=(120, 180), specs=YES,
        materials=["2.5-layer waterproof nylon"], tags=["insulated", "articulated knees", "durable"]),
    "swim shorts": dict(uses=["beach days", "lake swims"], specs={"liner": ["brief liner"]}),
    "running shorts": dict(uses=["tempo runs", "race day"], materials=["Recycled polyester with mesh liner"]),
    "sweater dresses": dict(uses=["chilly autumn outings", "city weekends"], materials=["Merino wool knit"]),
    "kids' dresses": dict(uses=["playground days", "summer holidays"], materials=["Organic cotton jersey"]),
    "beanies": dict(uses=["frosty mornings", "ski days"], materials=["Merino wool rib knit"],
        specs={**NO, "UPF": None}, tags=["warm", "everyday", "packable"]),
    "sun hats": dict(uses=["sunny trail days", "beach days"], specs={**NO, "UPF": ["UPF 50"]},
        materials=["Recycled nylon with mesh panels", "Organic cotton twill"]),
    "caps": dict(uses=["sunny trail days", "festival weekends"], specs=NO,
        materials=["Organic cotton twill", "Recycled nylon with mesh panels"]),
    "rain hats": dict(uses=["drizzly city walks", "wet hikes"], specs=YES,
        materials=["Waxed cotton canvas", "Recycled nylon"]),
    "liner gloves": dict(uses=["early runs", "layering under mitts"], price=(20, 40),
        specs={**NO, "insulation": ["none"]}, materials=["Merino wool and nylon"]),
    "ski gloves": dict(uses=["ski days", "winter hikes"], price=(60, 120),
        specs={"waterproof": 0.85, "insulation": ["100 g synthetic", "down-filled"]},
        materials=["Nylon shell, goat leather palm, synthetic insulation"]),
    "mittens": dict(uses=["ski days", "cold commutes"], specs={"waterproof": 0.5, "touchscreen": ["no"]}),
    "touchscreen gloves": dict(uses=["cold commutes", "winter city days"], price=(25, 55),
        specs={**NO, "touchscreen": ["yes"]},
        materials=["Recycled polyester fleece", "Softshell with silicone grip"]),
    "daypacks": dict(uses=["day hikes", "bike commutes"], price=(45, 140),
        specs={"weight": (350, 900), "capacity": ["18 L", "24 L", "30 L"], "hip belt": ["webbing", "none"]}),
    "hiking backpacks": dict(uses=["hut-to-hut treks", "multi-day backpacking"], price=(150, 320),
        specs={"weight": (1100, 2200), "capacity": ["40 L", "55 L", "65 L"], "hip belt": ["padded"], "laptop sleeve": None}),
    "travel backpacks": dict(uses=["weekend city breaks", "long-haul travel"], price=(110, 240),
        specs={"weight": (900, 1600), "capacity": ["30 L", "35 L", "40 L"], "laptop sleeve": ["yes"]}),
    "hydration packs": dict(uses=["trail runs", "mountain bike rides"], price=(60, 160),
        materials=["Recycled ripstop nylon, polyester lining"],
        specs={**NO, "weight": (200, 450), "capacity": ["5 L", "8 L", "12 L"], "laptop sleeve": None, "hip belt": ["none"]}),
    "kids' backpacks": dict(uses=["school days", "family day hikes"], price=(45, 70),
        specs={**NO, "weight": (250, 450), "capacity": ["10 L", "12 L"], "hip belt": ["none"]}),
    "duffel bags": dict(uses=["weekend getaways", "expedition travel"], price=(60, 180),
        specs={"weight": (600, 1400), "capacity": ["40 L", "70 L", "90 L"], "closure": ["zip"]}),
    "tote bags": dict(uses=["grocery runs", "beach days"], price=(25, 70),
        specs={**NO, "weight": (150, 500), "capacity": ["10 L", "20 L"], "closure": ["magnetic buckle", "open top"]},
        materials=["Heavy cotton canvas", "Recycled nylon with leather handles"]),
    "dry bags": dict(uses=["kayak trips", "canyoning days"], price=(25, 60),
        specs={**YES, "weight": (80, 300), "capacity": ["5 L", "10 L", "20 L"], "closure": ["roll-top"]},
        materials=["TPU-coated recycled polyester"]),
    "hip packs": dict(uses=["festival days", "short hikes"], price=(30, 70),
        specs={**NO, "weight": (80, 250), "capacity": ["2 L", "5 L"], "closure": ["zip"]}),
    "messenger bags": dict(uses=["bike commutes", "office days"], price=(70, 160),
        specs={"weight": (500, 1100), "capacity": ["15 L", "20 L"], "closure": ["magnetic buckle", "zip"]}),
    "backpacking tents": dict(uses=["backpacking trips", "hut-to-hut treks"], price=(180, 450),
        specs={"weight": (1200, 2400), "seasons": ["3-season", "3+ season"]}),
    "family tents": dict(uses=["family campsite weekends", "festival camping"], price=(250, 600),
        specs={"weight": (4000, 7500), "seasons": ["3-season"]},
        materials=["Polyester fly, fibreglass poles", "Polyester fly, steel and fibreglass poles"]),
    "ultralight tents": dict(uses=["fast-and-light thru-hikes", "bikepacking trips"], price=(350, 700),
        specs={"weight": (700, 1300), "seasons": ["3-season"]},
        materials=["Dyneema-style composite fabric, carbon poles", "Silicone-coated ripstop nylon fly, aluminium poles"]),
    "four-season tents": dict(uses=["winter mountain camps", "high-altitude expeditions"], price=(450, 700),
        specs={"weight": (2800, 4500), "seasons": ["4-season"]}),
    "summer sleeping bags": dict(uses=["summer camping", "festival weekends"], price=(70, 180),
        specs={"weight": (600, 1000), "temperature rating": ["10 °C / 50 °F", "7 °C / 45 °F"]}),
    "three-season sleeping bags": dict(uses=["spring and autumn treks", "backpacking trips"], price=(140, 320),
        specs={"weight": (900, 1400), "temperature rating": ["4 °C / 40 °F", "-1 °C / 30 °F"]}),
    "winter sleeping bags": dict(uses=["cold winter nights", "winter mountain camps"], price=(250, 400),
        specs={"weight": (1500, 2100), "temperature rating": ["-7 °C / 20 °F", "-18 °C / 0 °F"], "fill": ["650-fill down", "800-fill down"]}),
    "kids' sleeping bags": dict(uses=["scout camps", "family camping"], price=(70, 110),
        specs={"temperature rating": ["7 °C / 45 °F", "4 °C / 40 °F"], "fill": ["synthetic"]}),
    "stoves": dict(uses=["backcountry cooking", "car camping"], price=(40, 160),
        specs={**NO, "weight": (80, 400), "power": ["canister gas", "multi-fuel"]},
        materials=["Stainless steel and aluminium"]),
    "cookware": dict(uses=["backcountry cooking", "car camping"], price=(30, 120),
        specs={**NO, "weight": (200, 700), "power": None},
        materials=["Hard-anodised aluminium", "Titanium", "Stainless steel"]),
    "headlamps": dict(uses=["night hikes", "early alpine starts"], price=(25, 80),
        specs={"waterproof": 0.6, "weight": (50, 120), "power": ["USB-C rechargeable", "3 x AAA"]},
        materials=["Polycarbonate and aluminium"]),
    "sleeping pads": dict(uses=["long thru-hikes", "car camping"], price=(60, 200),
        specs={**NO, "weight": (350, 900), "power": None, "R-value": ["2.5", "4.2", "6.0"]},
        materials=["Ripstop nylon with TPU lamination"]),
    "camp chairs": dict(uses=["car camping", "festival weekends"], price=(50, 150),
        specs={**NO, "weight": (800, 1800), "power": None},
        materials=["Ripstop polyester seat, aluminium frame"]),
    "water filters": dict(uses=["long thru-hikes", "backcountry travel"], price=(30, 120),
        specs={**NO, "weight": (60, 350), "power": None, "flow rate": ["1 L/min", "1.7 L/min"]},
        materials=["Hollow-fibre membrane, BPA-free plastic housing"]),
    "sunglasses": dict(uses=["sunny summits", "glacier days"], price=(40, 90),
        specs={**NO, "weight": (25, 45), "capacity/size": None, "lens": ["category 3", "category 4"]},
        materials=["Polycarbonate lenses, nylon frame"]),
    "water bottles": dict(uses=["long trail days", "everyday carry"], price=(20, 45),
        specs={**NO, "weight": (300, 520), "capacity/size": ["500 ml", "750 ml", "1 L"]},
        materials=["Double-wall stainless steel"]),
    "trekking poles": dict(uses=["long trail days", "steep descents"], price=(60, 90),
        specs={**NO, "weight": (400, 560), "capacity/size": ["100-130 cm", "105-135 cm"]},
        materials=["Aluminium shafts with cork grips"]),
    "belts": dict(uses=["everyday carry", "travel"], price=(20, 40),
        specs={**NO, "weight": (80, 140), "capacity/size": None}, materials=["Recycled polyester webbing"]),
    "neck gaiters": dict(uses=["windy ridges", "ski days"], price=(10, 25),
        specs={**NO, "weight": (30, 60), "capacity/size": None}, materials=["Recycled nylon"]),
    "gaiters": dict(uses=["muddy trails", "snowy hikes"], price=(30, 70),
        specs={**YES, "weight": (120, 260), "capacity/size": None}, materials=["Recycled nylon"]),
}

WATERPROOF = {"": ["It is fully waterproof.", "Waterproof construction keeps the contents dry."],
              "jackets": ["Fully waterproof, with taped seams.", "Taped seams make it fully waterproof."],
              "pants": ["Fully waterproof, with taped seams."], "tents": ["Fully taped seams keep storms outside."],
              "shoes": ["A waterproof membrane keeps feet dry in puddles."], "boots": ["A waterproof membrane keeps feet dry in puddles."]}
GENDER = {"u": "unisex", "m": "men", "w": "women", "k": "kids"}
AUTHORS = ["Dana R.", "Liam K.", "Sofia M.", "Kenji T.", "Priya S.", "Tom B.", "Ana G.", "Marcus L.", "Yuki H.",
           "Chen W.", "Emma J.", "Noah P.", "Olivia F.", "Lucas D.", "Mia N.", "Ethan C.", "Hannah V.", "Leo Z.",
           "Chloe A.", "Jonas E.", "Isla W.", "Mateo R.", "Grace O.", "Felix S.", "Zoe Y.", "Arjun M.", "Lena B."]
GOOD = ["Exactly what I was looking for; {noun} exceeded my expectations.", "Really happy with {noun}, would buy again.",
        "Solid quality for the price.", "Took {noun} on a trip and was not disappointed.", "Five stars, fast shipping too."]
MIXED = ["Decent, but not perfect.", "Does the job, though I expected a bit more for the price.",
         "Good overall, sizing took some trial and error.", "Fine for casual use."]
BAD = ["Disappointed with {noun}.", "Returned {noun}, not for me.", "Quality didn't match the photos."]


def slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def fmt_weight(grams: int) -> str:
    return f"{grams} g" if grams < 1000 else f"{grams / 1000:.1f} kg"


def money(rng: random.Random, lo: float, hi: float) -> float:
    base = rng.uniform(lo, hi)
    if base < 30:
        return round(int(base) + rng.choice([0.0, 0.5, 0.95]), 2)
    return round(int(base / 5) * 5 + rng.choice([-0.05, 4.95, 0.0]), 2) if base >= 60 else round(int(base) + 0.95, 2)


def sizes_for(rng: random.Random, scheme: str, gender: str, sub: str) -> list[str]:
    if scheme == "shoe":
        lo, hi = {"women": (36, 42), "men": (40, 47), "kids": (36, 39)}.get(gender, (37, 46))
        return [str(n) for n in range(lo + rng.choice([0, 0, 1]), hi + 1)]
    if scheme == "apparel":
        start, end = (0, 4) if gender == "kids" else (rng.choice([0, 1, 1]), rng.choice([5, 6, 6]))
        return APPAREL[start:end]
    if scheme == "socks":
        return ["S", "M", "L"]
    if scheme == "hat":
        return ["one size"] if "beanie" in sub or "cap" in sub or rng.random() < 0.5 else ["S", "M", "L"]
    if scheme == "gloves":
        return ["S", "M", "L"] if gender == "kids" else APPAREL[rng.choice([0, 1]):5]
    if scheme == "tent":
        if "family" in sub:
            return rng.choice([["4-person"], ["6-person"], ["4-person", "6-person"]])
        if "ultralight" in sub:
            return rng.choice([["1-person"], ["2-person"], ["1-person", "2-person"]])
        return rng.choice([["2-person"], ["3-person"], ["2-person", "3-person"]])
    if scheme == "bag":
        return ["junior"] if gender == "kids" else ["regular", "long"]
    return ["one size"]


def make_reviews(rng: random.Random, cat: dict, rating: float) -> list[dict]:
    count = rng.choice([2, 3, 3])
    stars: list[int] = []
    while len(set(stars)) < 2:  # mixed ratings: at least two different scores
        stars = [max(1, min(5, round(rng.gauss(rating, 1.0)))) for _ in range(count)]
    authors = rng.sample(AUTHORS, count)
    used: set[str] = set()
    out = []
    for author, star in zip(authors, stars):
        pool = GOOD + cat["good"] if star >= 4 else MIXED if star == 3 else BAD + cat["bad"]
        text = rng.choice([t for t in pool if t not in used])
        used.add(text)
        extra_pool = cat["good"] if star >= 4 else cat["bad"]
        extras = [t for t in extra_pool if t not in used and text not in extra_pool]
        if extras and rng.random() < (0.4 if star >= 4 else 0.6):
            extra = rng.choice(extras)
            used.add(extra)
            text = f"{text} {extra}"
        text = text.format(noun=cat["noun"] if cat["noun"] != "this" else "it")
        out.append({"author": author, "rating": star, "text": text[0].upper() + text[1:]})
    return out


def make_product(rng: random.Random, category: str, cat: dict, number: int, names: set[str]) -> dict:
    sub, noun, genders = rng.choice(cat["subs"])
    over = SUB.get(sub, {})

    def pick(key: str):  # the subcategory's pool if it has one, else the category's
        return over[key] if key in over else cat[key]

    pools = {k: v for k, v in {**cat["specs"], **over.get("specs", {})}.items() if v is not None}
    gender = GENDER[rng.choice(genders)]
    for _ in range(200):
        kids = gender == "kids" and not sub.startswith("kids")
        name = f"{rng.choice(FIRST)} {noun}{' Kids' if kids else rng.choice(SUFFIX)}"
        if name not in names:
            break
    else:
        raise RuntimeError(f"ran out of names for {category}")
    names.add(name)
    specs: dict[str, str] = {}
    for key, pool in pools.items():
        if key == "weight":
            grams = int(rng.randint(*pool) * (0.7 if gender == "kids" else 1))
            specs["weight"] = fmt_weight(grams - grams % 5)
        elif key == "waterproof":
            specs["waterproof"] = "yes" if rng.random() < pool else "no"
        else:
            specs[key] = rng.choice(pool)
    material = rng.choice(pick("materials"))
    if "fill" in specs:  # sleeping bags: the fill spec follows the material
        specs["fill"] = rng.choice(["650-fill down", "800-fill down"]) if "down" in material else "synthetic"
    mat = material.split(",")[0]
    mat = mat[0].lower() + mat[1:] if not mat[:2].isupper() else mat
    fill = dict(name=name, sub=sub, use=rng.choice(pick("uses")), mat=mat,
                weight=specs.get("weight", "very little"))
    sentences = [rng.choice(pick("intro"))]
    extra = rng.sample(["mat", "feat", "fit"], rng.choice([1, 2, 2]))
    sentences += [rng.choice(pick(pool)) for pool in extra]
    if specs.get("waterproof") == "yes" and len(sentences) < 3:
        sentences.append(rng.choice(WATERPROOF.get(category, WATERPROOF[""])))
    description = " ".join(s.format(**fill) for s in sentences)
    sizes = sizes_for(rng, cat["sizes"], gender, sub)
    sold_out = rng.random() < 0.06
    stock = {s: 0 if sold_out or rng.random() < 0.15 else rng.randint(1, 40) for s in sizes}
    if not sold_out and not any(stock.values()):  # only ~5% should be sold out completely
        stock[rng.choice(sizes)] = rng.randint(1, 25)
    price = money(rng, *pick("price"))
    compare = round(price * rng.uniform(1.15, 1.45) // 5 * 5 + 4.95, 2) if rng.random() < 0.15 else None
    final_sale = rng.random() < 0.08
    if final_sale:
        description += " Final sale: not returnable."
    rating = round(min(5.0, max(2.8, rng.triangular(2.8, 5.0, 4.5))), 1)
    tags = [t for t in rng.sample(pick("tags"), rng.randint(2, 3)) if t != "recycled materials"]
    if "recycled" in material.lower() and rng.random() < 0.7:
        tags.append("recycled materials")
    if specs.get("waterproof") == "yes":
        tags.append("waterproof")
    colors = rng.sample(EARTHY if rng.random() < 0.6 else COLORS, rng.randint(1, 5))
    sku = f"NW-{cat['code']}-{number:04d}"
    return {
        "sku": sku, "name": name, "category": category, "subcategory": sub, "gender": gender,
        "description": description, "specs": specs, "materials": material, "care": rng.choice(cat["care"]),
        "colors": colors, "sizes": sizes, "stock": stock, "price": price, "compare_at_price": compare,
        "currency": "USD", "final_sale": final_sale, "rating": rating,
        "review_count": rng.randint(3, 640) if rng.random() < 0.85 else rng.randint(3, 12),
        "reviews": make_reviews(rng, cat, rating), "tags": tags,
        "url": f"/products/{slugify(name)}", "image": f"/static/products/{sku}.svg",
    }


def build_catalog(rng: random.Random) -> list[dict]:
    names: set[str] = set()
    products = []
    for category, cat in CATEGORIES.items():
        for number in range(1, cat["count"] + 1):
            products.append(make_product(rng, category, cat, number, names))
    return products


# ---------------------------------------------------------------- customers
# Per country: names, street templates, (city, postal-code pattern) pairs and a phone pattern.
# Patterns: "#" a digit, "@" a letter allowed in Canadian codes, "%" a letter allowed in the
# inward part of British codes, "&" a Dutch letter, "~" a literal "#"; "{n}" in a street is the house
# number. A city may carry its own street template as a third element.
# Western names are "First Last"; Chinese names are romanised family-name first, with the native
# script after "/"; Japanese names are romanised given-name first.
LETTERS = {"@": "ABCEGHJKLMNPRSTVWXYZ", "%": "ABDEFGHJLNPQRSTUWXYZ", "&": "BCEHKLMNPRTVWX"}
PEOPLE: dict[str, tuple] = {
    "US": (["Emily Johnson", "Michael Brown", "Jessica Garcia", "David Miller", "Ashley Davis", "Chris Rodriguez",
            "Sarah Wilson", "James Anderson", "Megan Thomas", "Tyler Moore", "Lauren Jackson", "Brandon Martin",
            "Nicole Lee", "Kevin Thompson", "Rachel White", "Jordan Harris"],
           ["{n} Maple Avenue", "{n} Oak Street", "{n} Pine Ridge Road", "{n} Cedar Lane", "{n} Lakeview Drive"],
           [("Seattle, WA", "981##"), ("Portland, OR", "972##"), ("Denver, CO", "802##"), ("Boston, MA", "021##"),
            ("Austin, TX", "787##")], "+1 {area} 555 01##"),
    "CA": (["Olivia Tremblay", "Liam Gagnon", "Chloé Roy", "Ethan MacDonald", "Ava Campbell", "Noah Bouchard"],
           ["{n} Queen Street West", "{n} Robson Street", "{n} Rue Saint-Denis", "{n} Elgin Street"],
           [("Toronto, ON", "M#@ #@#"), ("Vancouver, BC", "V6@ #@#"), ("Montréal, QC", "H2@ #@#")], "+1 {area} 555 01##"),
    "GB": (["Oliver Smith", "Amelia Jones", "Harry Taylor", "Isla Evans", "George Hughes", "Poppy Wright",
            "Alfie Walker", "Freya Robinson"],
           ["{n} High Street", "{n} Church Road", "{n} Victoria Road", "{n} Station Road", "{n} Mill Lane"],
           [("London", "SW11 #%%"), ("London", "N1 #%%"), ("Manchester", "M# #%%"), ("Edinburgh", "EH# #%%")],
           "+44 7700 900###"),
    "DE": (["Maria Keller", "Lukas Schmidt", "Anna Müller", "Felix Wagner", "Lea Becker", "Jonas Hoffmann"],
           ["Lindenstraße {n}", "Hauptstraße {n}", "Gartenweg {n}", "Bergstraße {n}", "Schillerstraße {n}"],
           [("Berlin", "101##"), ("München", "803##"), ("Hamburg", "221##"), ("Köln", "506##")], "+49 151 #### ####"),
    "FR": (["Camille Dubois", "Hugo Lefèvre", "Léa Moreau", "Louis Girard"],
           ["{n} rue de la Paix", "{n} avenue Jean Jaurès", "{n} rue Victor Hugo", "{n} boulevard Voltaire"],
           [("Paris", "7501#"), ("Lyon", "6900#"), ("Bordeaux", "33000"), ("Grenoble", "38000")], "+33 6 ## ## ## ##"),
    "NL": (["Sanne de Vries", "Daan Jansen", "Femke van Dijk", "Bram Bakker"],
           ["Prinsengracht {n}", "Kerkstraat {n}", "Dorpsstraat {n}", "Oudegracht {n}"],
           [("Amsterdam", "10## &&"), ("Utrecht", "35## &&"), ("Rotterdam", "30## &&")], "+31 6 #### ####"),
    "AU": (["Charlotte Murphy", "Jack Kelly", "Matilda Ryan", "Cooper Walsh", "Ruby Mitchell", "Lachlan Clarke"],
           ["{n} George Street", "{n} Beach Road", "{n} Smith Street", "{n} Wattle Avenue"],
           [("Sydney NSW", "20##"), ("Melbourne VIC", "30##"), ("Brisbane QLD", "40##"), ("Hobart TAS", "7000")],
           "+61 491 570 1##"),
    "SG": (["Rachel Tan", "Marcus Lim", "Priya Nair", "Joshua Ng", "Siti Rahman", "Daniel Goh"],
           ["{n} Orchard Road", "Blk {n} Tampines Street 21, ~0#-1##", "Blk {n} Toa Payoh Lorong 4, ~1#-0##"],
           [("Singapore", "23####"), ("Singapore", "52####"), ("Singapore", "31####")], "+65 9### ####"),
    "JP": (["Yuki Tanaka/田中由紀", "Haruto Sato/佐藤陽翔", "Aoi Suzuki/鈴木葵", "Ren Takahashi/高橋蓮",
            "Sakura Ito/伊藤さくら", "Daiki Watanabe/渡辺大輝", "Mei Yamamoto/山本芽衣"],
           [], [("Tokyo", "150-0001", "#-1#-# Jingumae, Shibuya-ku"), ("Tokyo", "160-0023", "#-#-1# Nishi-Shinjuku, Shinjuku-ku"),
                ("Osaka", "530-0001", "#-#-# Umeda, Kita-ku"), ("Kyoto", "600-8216", "{n} Higashishiokoji-cho, Shimogyo-ku")],
           "+81 90-####-####"),
    "CN": (["Wang Wei/王伟", "Li Na/李娜", "Zhang Min/张敏", "Liu Yang/刘洋", "Chen Jing/陈静", "Zhao Lei/赵磊",
            "Huang Xin/黄欣"],
           [], [("Beijing", "1000##", "{n} Jianguo Road, Chaoyang District"), ("Shanghai", "2000##", "{n} Nanjing West Road, Jing'an District"),
                ("Chengdu", "6100##", "{n} Renmin South Road, Wuhou District"), ("Shenzhen", "5180##", "{n} Shennan Avenue, Futian District")],
           "+86 138 #### ####"),
    "TW": (["Lin Yi-chen/林怡君", "Chen Chih-hao/陳志豪", "Huang Shu-fen/黃淑芬", "Chang Wei-ting/張瑋庭",
            "Wu Chia-hao/吳家豪"],
           [], [("Taipei", "106", "No. {n}, Sec. 4, Zhongxiao E. Rd., Da'an Dist."), ("Taipei", "10491", "No. {n}, Nanjing E. Rd. Sec. 2"),
                ("Taichung", "403", "No. {n}, Sec. 2, Taiwan Blvd., West Dist."), ("Kaohsiung", "800", "No. {n}, Zhongzheng 4th Rd., Qianjin Dist.")],
           "+886 912 ### ###"),
    "HK": (["Chan Tai Man/陳大文", "Wong Ka Yan/黃嘉欣", "Leung Wing Sze/梁詠詩", "Cheung Chi Ho/張志豪",
            "Lau Mei Ling/劉美玲"],
           [], [("Kowloon", "", "Flat #B, {n} Nathan Road, Tsim Sha Tsui"), ("Hong Kong", "", "Flat 1#A, {n} Hennessy Road, Wan Chai")],
           "+852 9### ####"),
}
AREA = {"Seattle, WA": "206", "Portland, OR": "503", "Denver, CO": "303", "Boston, MA": "617", "Austin, TX": "512",
        "Toronto, ON": "416", "Vancouver, BC": "604", "Montréal, QC": "514"}
LANG = {"JP": "ja", "CN": "zh-Hans", "TW": "zh-Hant", "HK": "zh-Hant"}
DOMAINS = ["example.com", "example.org", "example.net", "mail.test"]
ASCII = str.maketrans({"ü": "ue", "ö": "oe", "ä": "ae", "ß": "ss", "é": "e", "è": "e", "ç": "c", "-": "", " ": ""})


def fill_pattern(rng: random.Random, pattern: str) -> str:
    """Replace "#" with a random digit and the LETTERS placeholders with a fitting letter."""
    return "".join(str(rng.randint(0, 9)) if ch == "#" else "#" if ch == "~" else
                   rng.choice(LETTERS[ch]) if ch in LETTERS else ch for ch in pattern)


def build_customers(rng: random.Random) -> list[dict]:
    rows = []
    for country, (people, streets, cities, phone) in PEOPLE.items():
        for index, person in enumerate(people):
            name, _, native = person.partition("/")
            given, family = name.split(" ", 1)
            if native and country != "JP":  # Chinese order: family name first
                family, given = given, family
            local = f"{given}.{family}".lower().translate(ASCII)
            city, postal, *own = rng.choice(cities)
            street = fill_pattern(rng, (own[0] if own else rng.choice(streets)).format(n=rng.randint(1, 180)))
            row = {"id": 0, "name": name}
            if native and index % 2 == 0:
                row["name_native"] = native
            row.update({"email": f"{local}@{rng.choice(DOMAINS)}", "phone": fill_pattern(rng, phone.format(area=AREA.get(city))),
                        "address": {"street": street, "city": city, "postal_code": fill_pattern(rng, postal),
                                    "country": country},
                        "language": LANG.get(country, "en")})
            rows.append(row)
    rng.shuffle(rows)
    seen: set[str] = set()
    for number, row in enumerate(rows, start=1):
        row["id"] = number
        while row["email"] in seen:
            local, domain = row["email"].split("@")
            row["email"] = f"{local}{rng.randint(1, 99)}@{domain}"
        seen.add(row["email"])
    return rows


# ---------------------------------------------------------------- checks
KEYS = ["sku", "name", "category", "subcategory", "gender", "description", "specs", "materials", "care", "colors",
        "sizes", "stock", "price", "compare_at_price", "currency", "final_sale", "rating", "review_count", "reviews",
        "tags", "url", "image"]
POSTAL = {"US": r"\d{5}", "CA": r"[ABCEGHJ-NPRSTVXY]\d[ABCEGHJ-NPRSTV-Z] \d[ABCEGHJ-NPRSTV-Z]\d",
          "GB": r"[A-Z]{1,2}\d[A-Z\d]? \d[ABD-HJLNP-UW-Z]{2}", "DE": r"\d{5}", "FR": r"\d{5}", "NL": r"[1-9]\d{3} [A-Z]{2}",
          "AU": r"\d{4}", "JP": r"\d{3}-\d{4}", "CN": r"\d{6}", "TW": r"\d{3}|\d{5}", "HK": r"", "SG": r"\d{6}"}


def check() -> list[str]:
    """Re-read both YAML files and return a list of problems (empty when all is well)."""
    errors: list[str] = []
    products = yaml.safe_load(CATALOG.read_text(encoding="utf-8"))["products"]
    for key in ("sku", "name", "url"):
        values = [p[key] for p in products]
        if len(values) != len(set(values)):
            errors.append(f"duplicate {key}s")
    counts: dict[str, int] = {}
    for p in products:
        counts[p["category"]] = counts.get(p["category"], 0) + 1
        where = p["sku"]
        if list(p) != KEYS:
            errors.append(f"{where}: keys {list(p)}")
        if not re.fullmatch(rf"NW-{CATEGORIES[p['category']]['code']}-\d{{4}}", where):
            errors.append(f"{where}: bad sku")
        if list(p["stock"]) != p["sizes"] or not all(isinstance(v, int) and v >= 0 for v in p["stock"].values()):
            errors.append(f"{where}: stock keys != sizes")
        if not 2.8 <= p["rating"] <= 5.0 or not 2 <= len(p["reviews"]) <= 3 or p["review_count"] < len(p["reviews"]):
            errors.append(f"{where}: rating/reviews")
        if len({r["rating"] for r in p["reviews"]}) < 2 or len({r["text"] for r in p["reviews"]}) != len(p["reviews"]):
            errors.append(f"{where}: reviews not mixed/distinct")
        if ("waterproof" in p["tags"]) != (p["specs"].get("waterproof") == "yes"):
            errors.append(f"{where}: waterproof tag/spec mismatch")
        if p["final_sale"] != ("Final sale: not returnable." in p["description"]):
            errors.append(f"{where}: final sale wording")
        if not 1 <= len(p["colors"]) <= 5 or not set(p["colors"]) <= set(COLORS) or not 3 <= len(p["specs"]) <= 6:
            errors.append(f"{where}: colors/specs")
        lo, hi = CATEGORIES[p["category"]]["price"]
        if not lo - 1 <= p["price"] <= hi + 5 or (p["compare_at_price"] is not None and p["compare_at_price"] <= p["price"]):
            errors.append(f"{where}: price {p['price']} / {p['compare_at_price']}")
        if not 2 <= len(re.findall(r"[.!?](?:\s|$)", p["description"])) <= 4:
            errors.append(f"{where}: description has wrong sentence count")
    errors += [f"category {c}: only {n}" for c, n in counts.items() if n < 12]
    if set(counts) != set(CATEGORIES) or len(products) < 320:
        errors.append(f"{len(products)} products, categories {sorted(counts)}")
    customers = yaml.safe_load(CUSTOMERS.read_text(encoding="utf-8"))["customers"]
    emails = [c["email"] for c in customers]
    if len(customers) != 80 or len(set(emails)) != 80 or [c["id"] for c in customers] != list(range(1, 81)):
        errors.append("need 80 customers, ids 1..80, unique emails")
    for c in customers:
        if c["email"] != c["email"].lower() or c["email"].split("@")[1] not in DOMAINS or not c["email"].isascii():
            errors.append(f"customer {c['id']}: email {c['email']}")
        addr = c["address"]
        if not re.fullmatch(POSTAL[addr["country"]], addr["postal_code"]):
            errors.append(f"customer {c['id']}: postal code {addr['postal_code']!r} for {addr['country']}")
    en = sum(c["language"] == "en" for c in customers)
    if not 0.6 <= en / 80 <= 0.8:
        errors.append(f"{en} English-speaking customers")
    summary = {"products": len(products), "on sale": sum(p["compare_at_price"] is not None for p in products),
               "final sale": sum(p["final_sale"] for p in products),
               "sold out": sum(not any(p["stock"].values()) for p in products), "customers": len(customers),
               "customers en": en}
    print("per category:", ", ".join(f"{c}={n}" for c, n in counts.items()))
    print("summary:", summary)
    for path in (CATALOG, CUSTOMERS):
        print(f"{path.relative_to(REPO)}: {path.stat().st_size / 1024:.1f} KiB")
    return errors


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only check the existing YAML files")
    args = parser.parse_args()
    if not args.check:
        rng = random.Random(7)
        dump = dict(sort_keys=False, allow_unicode=True, width=100)
        CATALOG.parent.mkdir(parents=True, exist_ok=True)
        CATALOG.write_text(yaml.safe_dump({"products": build_catalog(rng)}, **dump), encoding="utf-8")
        CUSTOMERS.parent.mkdir(parents=True, exist_ok=True)
        CUSTOMERS.write_text(yaml.safe_dump({"customers": build_customers(random.Random(7))}, **dump), encoding="utf-8")
    errors = check()
    for error in errors:
        print("ERROR:", error)
    print("OK" if not errors else f"{len(errors)} problem(s)")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
