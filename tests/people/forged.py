"""A signed link's token with a wrong signature, for tests that must see it refused."""


def forged(token: str) -> str:
    """`token` (or a path ending in one) with the first character of its signature changed.

    The last character of a base64 signature carries only part of the digest's bits: a token
    whose last two characters were replaced by "xx" still decoded to its digest, and was
    accepted, in about one run of 800. The first character carries six bits of the digest:
    changed, the signature never matches.
    """
    head, dot, signature = token.rpartition(".")
    return head + dot + ("B" if signature[0] == "A" else "A") + signature[1:]
