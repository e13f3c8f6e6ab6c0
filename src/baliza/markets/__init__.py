"""Drug trade on the internet: listings observed on darknet markets, social media, messaging channels and the
open web, read for what they offer (substance group, quantity, price per gram in USD), who offers it (vendors
linked across platforms) and what that says (prices against UNODC's, new substances, vendors tied to seized
wallets or arrested people).

The pieces, each in its own module:
- `text`: how listing text is normalised before it is matched or classified;
- `lexicon` and `slang`: the project's own es/pt/en street names, and the DEA slang list read at run time;
- `classifier`: substance group from title and description (lexicon hits and character n-grams, scikit-learn);
- `quantities`: quantity, unit, grams and doses as vendors write them;
- `currency` and `pricing`: price in USD on the listing's date, per gram or per dose, implausible prices marked;
- `listings`: every listing read and priced (the `baliza listings` answer);
- `vendors` and `linking`: vendors and the links between them across platforms (shared identifiers, Splink);
- `unodc`, `prices` and `findings`: UNODC's retail prices, the online series against them and its sharp
  drops, and the findings for review;
- `picture`: all of it computed once for a warehouse (what the CLI and the web present); `names`: the names
  people read for the codes; `scrape`: a scraper's export read through a column mapping.
"""
