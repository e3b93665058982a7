"""Polish names and departments for synthetic learners."""

import random

# (department, weight): the sales teams are the largest.
DEPARTMENTS: tuple[tuple[str, int], ...] = (
    ("Sprzedaż B2B", 30),
    ("Sprzedaż detaliczna", 30),
    ("Obsługa klienta", 20),
    ("Marketing", 10),
    ("Logistyka", 10),
)

MEN = (
    "Adam", "Andrzej", "Bartosz", "Damian", "Dawid", "Filip", "Grzegorz", "Jakub", "Jan",
    "Kacper", "Kamil", "Krystian", "Krzysztof", "Łukasz", "Maciej", "Marcin", "Marek",
    "Mateusz", "Michał", "Mikołaj", "Paweł", "Piotr", "Przemysław", "Rafał", "Robert",
    "Sebastian", "Szymon", "Tomasz", "Wojciech", "Zbigniew",
)  # fmt: skip
WOMEN = (
    "Agnieszka", "Aleksandra", "Alicja", "Anna", "Barbara", "Beata", "Dorota", "Emilia", "Ewa",
    "Halina", "Iwona", "Joanna", "Julia", "Justyna", "Karolina", "Katarzyna", "Magdalena",
    "Małgorzata", "Marta", "Monika", "Natalia", "Oliwia", "Patrycja", "Paulina", "Renata",
    "Sylwia", "Weronika", "Zofia", "Zuzanna", "Żaneta",
)  # fmt: skip
# Masculine forms; -ski and -cki take -ska and -cka for women, the rest do not change.
SURNAMES = (
    "Nowak", "Kowalski", "Wiśniewski", "Wójcik", "Kowalczyk", "Kamiński", "Lewandowski",
    "Zieliński", "Szymański", "Woźniak", "Dąbrowski", "Kozłowski", "Jankowski", "Mazur",
    "Kwiatkowski", "Krawczyk", "Piotrowski", "Grabowski", "Nowakowski", "Pawłowski",
    "Michalski", "Nowicki", "Adamczyk", "Dudek", "Zając", "Wieczorek", "Jabłoński", "Król",
    "Majewski", "Olszewski", "Jaworski", "Wróbel", "Malinowski", "Pawlak", "Witkowski",
    "Walczak", "Stępień", "Górski", "Rutkowski", "Michalak", "Sikora", "Ostrowski", "Baran",
    "Duda", "Szewczyk", "Tomaszewski", "Pietrzak", "Marciniak", "Wróblewski", "Zalewski",
    "Sadowski", "Bąk", "Chmielewski", "Włodarczyk", "Borkowski", "Czarnecki", "Sawicki",
    "Sokołowski", "Urbański", "Kubiak",
)  # fmt: skip
ASCII = str.maketrans("ąćęłńóśźżĄĆĘŁŃÓŚŹŻ", "acelnoszzACELNOSZZ")


def feminine(surname: str) -> str:
    """The form a woman bears: Kowalski -> Kowalska, Nowicki -> Nowicka, Nowak -> Nowak."""
    return surname[:-1] + "a" if surname.endswith(("ski", "cki", "dzki")) else surname


def person_name(rng: random.Random) -> tuple[str, str, str]:
    """First name, surname, and both in ASCII for an e-mail address (`jan.kowalski`)."""
    if rng.random() < 0.5:
        first, last = rng.choice(WOMEN), feminine(rng.choice(SURNAMES))
    else:
        first, last = rng.choice(MEN), rng.choice(SURNAMES)
    return first, last, f"{first}.{last}".translate(ASCII).lower()
