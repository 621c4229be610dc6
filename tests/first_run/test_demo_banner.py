"""Every page of a demo board says so (includes/demo_banner.html); a real board doesn't."""

import pytest

pytestmark = pytest.mark.django_db

BANNER = "Demo board: the ideas, votes and members are sample data"


@pytest.mark.parametrize("path", ["/", "/ideas/", "/accounts/login/"])
def test_demo_mode_shows_the_banner(client, settings, path):
    settings.IDEASTORM_DEMO = True
    assert BANNER in client.get(path).content.decode()


def test_a_real_board_shows_no_banner(client, settings):
    settings.IDEASTORM_DEMO = False
    assert BANNER not in client.get("/").content.decode()
