"""Polish text heuristics for `content lint`: words, verb forms, market giveaways and names.

Plain functions over strings; no Flask, no database. Every heuristic here is deliberately
simple and documented, so that a trainer can tell why an item was flagged.
"""

import re
import unicodedata

WORD = re.compile(r"[^\W_]+(?:-[^\W_]+)*", re.UNICODE)

# The grammatical form of an option, read from its first verb-like word (see `option_form`).
FIRST_SINGULAR = "1st person singular"
FIRST_PLURAL = "1st person plural"
PAST = "past tense (gendered)"
INFINITIVE = "infinitive"
OTHER = "no verb found"

# Words that may stand before the verb of an option and say nothing of its form.
LEAD_WORDS = frozenset(
    [
        "nie",
        "od",
        "razu",
        "najpierw",
        "jeszcze",
        "zaraz",
        "też",
        "także",
        "sam",
        "sama",
        "samo",
        "osobiście",
        "krótko",
        "spokojnie",
        "uczciwie",
        "zawsze",
        "już",
        "tylko",
        "formalnie",
        "swobodnie",
        "dziś",
        "jutro",
        "teraz",
        "po",
        "prostu",
        "wtedy",
        "potem",
        "najpierw",
        "od",
        "ręki",
        "z",
        "góry",
    ]
)

# Cues that by themselves tell a reader the market of a situation: mostly single words (as
# regular expressions matched at the start of a word, on lowercased text), a few short
# phrases. The issue behind `content lint` measured that most situations were decided by one
# such word. A situation whose cues all point at its own market is flagged; one that also
# carries a cue for the other market (a mixed item, where the surface misleads) is not.
GIVEAWAYS: dict[str, tuple[str, ...]] = {
    "B2B": (
        r"zakład", r"dyrektor", r"prezes", r"zarząd(?:u|em|owi|zie|y|ów|owy|owa)?\b",
        r"hurtowni", r"sieć\b", r"sieci\b",
        r"przetarg", r"zapytani\w* ofertow", r"komisj\w* (?:zakup|przetarg)",
        r"dzia(?:ł|łu|łem) (?:zakupów|handlow|techniczn)", r"spółk", r"fabryk", r"kontrakt",
        r"korporac", r"umow\w* ramow", r"faktur\w* vat", r"na firmę", r"nip\b", r"b2b\b",
    ),
    "B2C": (
        r"prezent", r"wnu(?:k|cz)", r"żon(?:a|y|ie|ą|ę)\b", r"mąż\b", r"męż(?:a|em|owi)\b",
        r"rodzin", r"urodzin", r"wesel", r"ślub", r"dzieci", r"dzieck", r"córk",
        r"syn(?:a|em|owi|owie|ów)?\b", r"emeryt", r"student", r"b2c\b", r"konsument",
        r"prywatn", r"domow",
    ),
}  # fmt: skip
_GIVEAWAY_PATTERNS = {
    market: [re.compile(r"(?<!\w)" + pattern) for pattern in patterns]
    for market, patterns in GIVEAWAYS.items()
}

# Capitalised words that are not names of the items' people or firms: forms of address,
# places, platforms, holidays and acronyms any number of items may share. Matched as the
# start of a word, so that inflected forms (Warszawie, Krakowa) are covered.
NOT_NAMES: tuple[str, ...] = (
    # forms of address and the learner (`NOT_NAME_WORDS` holds the short ones)
    "Państw", "Twoj", "Twoi",
    # countries, regions, cities and sights
    # generic words of firms' and institutions' names
    "Zakład", "Grup", "Centr", "Studi", "Hurtowni", "Sklep", "Salon", "Biur", "Spółdziel",
    "Kancelari", "Przychodni", "Szpital", "Urząd", "Urzęd", "Gmin", "Powiat", "Miast",
    "Wspólnot", "Fundacj", "Stowarzysz", "Firm", "Sieć", "Sieci", "Pracowni", "Fabryk",
    "Spółk", "Gabinet", "Szkoł", "Przedszkol", "Uniwersyte", "Politechni",
    "Polsk", "Polsc", "Europ", "Niemc", "Chorwac", "Bałty", "Tatr", "Mazow", "Sącz",
    "Wielkopol", "Małopol", "Pomorz", "Śląs", "Kujaw", "Podkarpac", "Podlas", "Warmi", "Kaszub",
    "Warszaw", "Krak", "Gdań", "Gdyn", "Sopo", "Pozna", "Wrocła", "Łód", "Łodz", "Lubl",
    "Katowic", "Szczeci", "Bydgoszcz", "Toru", "Kielc", "Rzesz", "Opol", "Olsztyn",
    "Białyst", "Białegostok", "Radom", "Częstoch", "Zakopan", "Kalisz", "Płock", "Tczew",
    "Elbl", "Gorz", "Gliwic", "Tychy", "Tych", "Sosnowc", "Bielsk", "Nowy", "Nowym",
    "Nowego", "Tarn", "Koszal", "Słups", "Legnic", "Suwał", "Przemyśl", "Zamoś", "Siedlc",
    "Piotrk", "Konin", "Leszn", "Ostrołęk", "Chełm", "Łomż", "Sandomier", "Kołobrz",
    "Augustow", "Mielno", "Wisł", "Odr", "Strykó",
    # platforms, tools and public things
    "Allegro", "Instagram", "Facebook", "TikTok", "YouTube", "LinkedIn", "Google", "Excel",
    "Messenger", "WhatsApp", "Biznes", "BLIK", "KSeF", "VAT", "ROI", "PDF", "LED", "CNC",
    "IT", "HR", "BHP", "OC", "SMS", "EAN", "COP", "SCOP", "GPS", "SEO", "CRM", "ERP", "WMS",
    "RODO", "NIP", "REGON", "CEIDG", "KRS", "ZUS", "NFZ", "Pzp", "UZP", "UOKiK", "PDF",
    "B2B", "B2C", "AGD", "RTV", "SUV", "PV", "UE", "Kodeks", "Kodeksu", "Black", "Friday",
    # holidays and seasons
    "Wigili", "Wielkanoc", "Dzień", "Dnia", "Matki", "Ojca", "Dziecka", "Walentyn", "Andrzejk",
    "Zaduszk", "Wszystkich",
)  # fmt: skip
# Short words of the same kinds, matched whole (a stem "Pan" would also hide "Pankowski").
NOT_NAME_WORDS = frozenset(
    [
        # prepositions that open many firms' names ("Pod Lipami", "Nad Zalewem")
        "Pod",
        "Nad",
        "Przy",
        "Pan",
        "Pana",
        "Panu",
        "Panem",
        "Pani",
        "Panią",
        "Ty",
        "Ci",
        "Cię",
        "Ciebie",
        "Tobie",
        "Twój",
        "Dr",
        "Hel",
        "Helu",
        "Piła",
        "Piły",
        "Pile",
        "Odra",
        "Odry",
        "Odrze",
        "Ełk",
        "Ełku",
        "Nysa",
        "Nysie",
        "Targ",
        "Targu",
        "Mazury",
        "Mazurach",
        "Boże",
        "Bożego",
    ]
)


def fold(text: str) -> str:
    """Lowercase `text` and normalise its Unicode form, for comparing words."""
    return unicodedata.normalize("NFC", text).lower()


def words(text: str) -> list[str]:
    """The words of `text`, lowercased: letters and digits, hyphenated words kept whole."""
    return [fold(match) for match in WORD.findall(text)]


def option_form(text: str) -> str:
    """The grammatical form of an option, from its first verb-like word.

    Options of one item should share a form ("Zaproponuję…", "Wyślę…"). The first word of
    the option that has a verb's ending is read, among its first four words that are not lead
    words (`LEAD_WORDS`: "nie", "od razu", "najpierw"…):

    - "-łem", "-łam" (but not "-syłam", as in "wysyłam"): a past tense, which also assumes
      the learner's gender;
    - "-my": first person plural ("Zaproponujemy");
    - "-ę", "-am", "-em" ("Zaproponuję", "Dam", "Zapytam", "Powiem"): first person singular,
      present or future;
    - "-ć", "-c": an infinitive ("Zadzwonić", "Pomóc").

    A word with none of these endings (a noun, "Kampania…") gives "no verb found". The
    heuristic errs: a feminine noun in the accusative ("Ofertę…") or a noun in the instrumental
    ("Telefonem…") reads as a verb, which is why a mismatch is reported, never guessed away.
    """
    candidates = [word for word in words(text)[:6] if word not in LEAD_WORDS][:4]
    for word in candidates:
        form = _ending_form(word)
        if form != OTHER:
            return form
    return OTHER


def _ending_form(word: str) -> str:
    if len(word) < 3:
        return OTHER
    if word.endswith(("łem", "łam")) and not word.endswith("syłam"):
        return PAST
    if word.endswith("my") and len(word) > 4:
        return FIRST_PLURAL
    if word.endswith("ę"):
        return FIRST_SINGULAR
    if word.endswith(("am", "em")):
        return FIRST_SINGULAR
    if word.endswith(("ć", "c")) and len(word) > 3:
        return INFINITIVE
    return OTHER


def giveaways(text: str) -> dict[str, list[str]]:
    """Per market, the giveaway cues (`GIVEAWAYS`) that `text` contains, as they appear."""
    folded = fold(text)
    found: dict[str, list[str]] = {}
    for market, patterns in _GIVEAWAY_PATTERNS.items():
        hits = []
        for pattern in patterns:
            for match in pattern.finditer(folded):
                end = WORD.match(folded, match.end()) if match.end() < len(folded) else None
                cue = folded[match.start() : end.end() if end else match.end()]
                if cue not in hits:
                    hits.append(cue)
        found[market] = hits
    return found


def names(text: str) -> list[str]:
    """Capitalised words of `text` that are likely names of people or firms.

    A capitalised word counts when it does not start a sentence (nor a quotation that starts
    a sentence or follows a colon), has three letters or more, and is not a known place,
    platform, holiday, acronym or form of address (`NOT_NAMES`, matched as a word's start).
    Polish capitalises little else in mid-sentence, so what remains is mostly the names of
    the item's people and businesses.
    """
    found = []
    for match in WORD.finditer(text):
        word = match.group()
        if not word[0].isupper() or len(word) < 3 or word in NOT_NAME_WORDS:
            continue
        if word.startswith(NOT_NAMES):
            continue
        if not _starts_sentence(text[: match.start()]):
            found.append(word)
    return found


def _starts_sentence(before: str) -> bool:
    before = before.rstrip()
    if before.endswith(("„", '"', "»", "(")):
        before = before[:-1].rstrip()
        return not before or before.endswith((".", "!", "?", "…", ":"))
    return not before or before.endswith((".", "!", "?", "…"))


def same_name(a: str, b: str) -> bool:
    """Whether two capitalised words are likely one name, inflected or spelt differently.

    Equal when lowercased; one a prefix of the other, the shorter having at least four
    letters (Kowalczyk, Kowalczykowie); sharing the first six letters (Farmalab, Farmalog);
    or, both of six letters or more, one edit apart (Medisoft, MedSoft).
    """
    a, b = fold(a), fold(b)
    if a == b:
        return True
    short, long = sorted((a, b), key=len)
    if len(short) >= 4 and long.startswith(short):
        return True
    if len(short) >= 6 and a[:6] == b[:6]:
        return True
    return len(short) >= 6 and len(long) - len(short) <= 1 and _one_edit(short, long)


def _one_edit(short: str, long: str) -> bool:
    if len(short) == len(long):
        return sum(x != y for x, y in zip(short, long, strict=True)) <= 1
    return any(long[:i] + long[i + 1 :] == short for i in range(len(long)))


def shingles(text: str, size: int = 2, stem: int = 5) -> set[tuple[str, ...]]:
    """The word `size`-grams of `text`, each word lowercased and cut to `stem` letters.

    Cutting words to their first letters lets inflected forms match ("kuchnię", "kuchni"),
    so a situation copied and lightly reworded still shares most of its shingles.
    """
    tokens = [word[:stem] for word in words(text)]
    if len(tokens) < size:
        return {tuple(tokens)} if tokens else set()
    return {tuple(tokens[i : i + size]) for i in range(len(tokens) - size + 1)}


def jaccard(a: set[tuple[str, ...]], b: set[tuple[str, ...]]) -> float:
    """|a ∩ b| / |a ∪ b|, 0 for two empty sets."""
    union = a | b
    return len(a & b) / len(union) if union else 0.0
