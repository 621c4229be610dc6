from board.selectors import board_settings


def board(request) -> dict:
    """`board`: the name, logo, colours and switched-on features every page shows (no query:
    board.selectors)."""
    return {"board": board_settings()}
