"""Making content: editing, versions, the content sync and export, GIFT exchange."""
