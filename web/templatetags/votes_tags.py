from django import template

from web.votes.forms import RecordVoteForm

register = template.Library()


@register.simple_tag
def record_vote_form() -> RecordVoteForm:
    """An empty form to record a customer's vote, for the idea page's product team panel (the
    idea page's view belongs to ideas and leaves the votes app's forms to it)."""
    return RecordVoteForm()
