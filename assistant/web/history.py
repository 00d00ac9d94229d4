"""The Ask tab's list of the user's own conversations: list, reopen, rename and delete (events over
:mod:`assistant.web.conversations`, wired in :mod:`assistant.web.app`).

A conversation id comes from the browser and is not trusted: each event looks it up with the
signed-in user as owner, and another user's id is refused exactly like an unknown one (and the
refusal audited). Reopening shows what was kept through the reader's clearance and the library as
they are now: a passage whose report was since restricted beyond it, or removed, is shown as
withheld, without its text, and so is an answer that quotes it. Follow-ups then continue it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import gradio as gr

from ..audit import CONVERSATION_DELETED, CONVERSATION_OPENED, CONVERSATION_REFUSED, CONVERSATION_RENAMED
from ..documents import Passage, text_problem
from .conversations import Conversation, ConversationStore, Turn, title_problem, when
from .handlers import NOT_A_CHOICE, Handlers, _shown, refusal
from .render import NO_SOURCES, answer_markdown, counted, md_text, source_card, sources_panel
from .users import User

WITHHELD_ANSWER = (
    "**Withheld.** This answer quotes a report that is no longer available to you "
    "(removed from the library, or beyond your clearance)."
)
NO_CHOICE = "Choose one of your conversations from the list."


def withheld_card(n: int) -> str:
    """A source shown no more: its number, and no title, passage or link."""
    return (
        f'<div class="citation withheld" id="cite-{n}"><div class="cite-head">[{n}] Withheld</div>'
        '<div class="cite-where">This source is no longer available to you: its report was removed from the '
        "library or is beyond your clearance.</div></div>"
    )


@dataclass
class Reopened:
    """A conversation as it may be shown now: chat, each answer's sources panel (by chat position), the
    questions it answered (for follow-ups), the passages shown and the number withheld."""

    chat: list[dict[str, str]] = field(default_factory=list)
    sources: dict[int, str] = field(default_factory=dict)
    asked: list[str] = field(default_factory=list)
    shown: list[Passage] = field(default_factory=list)
    withheld: int = 0


def reopen(turns: list[Turn], visible: Callable[[str], bool]) -> Reopened:
    """``turns`` rendered as the chat showed them, each passage only if ``visible(its report id)`` now."""
    out = Reopened()
    for turn in turns:
        ok = [visible(str(p.metadata.get("doc_id", ""))) for p in turn.passages]
        out.withheld += ok.count(False)
        out.shown += [p for p, seen in zip(turn.passages, ok) if seen]
        result = turn.result()
        answer = answer_markdown(result, turn.question) if turn.abstained or all(ok) else WITHHELD_ANSWER
        out.chat += [{"role": "user", "content": md_text(turn.question)}, {"role": "assistant", "content": answer}]
        text = "" if turn.abstained else turn.answer
        cards = "".join(
            source_card(n, p, text) if seen else withheld_card(n)
            for n, (p, seen) in enumerate(zip(turn.passages, ok), 1)
        )
        out.sources[len(out.chat) - 1] = sources_panel(cards, turn.abstained)
        out.asked.append(turn.answered)
    return out


class History:
    """The conversation list's events; ``on`` supplies the context (users, sessions, audit) and the store."""

    def __init__(self, on: Handlers) -> None:
        self.ctx = on.ctx
        self.assistant = on.assistant
        self.store: ConversationStore = on.conversations  # opened now, before events arrive on several threads

    def _choices(self, user: User, current: str | None) -> dict[str, Any]:
        listed = self.store.listing(self.ctx.owner(user))
        value = current if any(c.id == current for c in listed) else None
        return gr.update(choices=[(c.label, c.id) for c in listed], value=value)

    def _own(self, user: User, wanted: str, conversation_id: Any) -> Conversation:
        """The user's own conversation named by ``conversation_id``; anything else is refused alike, and audited."""
        if conversation_id is None or conversation_id == "":
            raise refusal("Choose a conversation from the list first.")
        found = self.store.get(conversation_id, self.ctx.owner(user))
        if found is None:
            owner = self.store.owner_of(conversation_id)
            reason = "another user's conversation" if owner else NOT_A_CHOICE
            detail = {"wanted": wanted, "reason": reason, "value": _shown(conversation_id)}
            self.ctx.audit.record_for(
                user, CONVERSATION_REFUSED, detail={**detail, **({"owner": owner} if owner else {})}
            )
            raise refusal(NO_CHOICE)
        return found

    def _cited(self, conversation: Conversation, user: User) -> list[str]:
        """The reports a conversation's answers showed passages of (so the audit view can withhold its entry)."""
        turns = self.store.turns(conversation.id, self.ctx.owner(user))
        return list(dict.fromkeys(d for t in turns for d in t.doc_ids if d))

    def conversation_list(self, request: gr.Request) -> dict[str, Any]:
        """The user's conversations, newest first, as "first question — date" (the one this tab continues chosen)."""
        user = self.ctx.user(request, "ask")
        return self._choices(user, self.ctx.session(request, user).conversation)

    def open_conversation(self, conversation_id: Any, request: gr.Request) -> tuple:
        """Reopen one of the user's conversations in this tab, re-checked against their clearance now."""
        user = self.ctx.user(request, "ask")
        session = self.ctx.session(request, user)
        conversation = self._own(user, "open", conversation_id)
        turns = self.store.turns(conversation.id, self.ctx.owner(user))
        seen: dict[str, bool] = {}

        def visible(doc_id: str) -> bool:
            if doc_id not in seen:
                seen[doc_id] = bool(doc_id) and self.assistant.report(doc_id, user.clearance) is not None
            return seen[doc_id]

        shown = reopen(turns, visible)
        session.reset_chat()
        session.chat += shown.chat
        session.asked += shown.asked
        session.sources.update(shown.sources)
        session.conversation = conversation.id
        self.ctx.audit.record_for(
            user,
            CONVERSATION_OPENED,
            conversation.title,
            chunk_ids=[p.chunk_id for p in shown.shown],
            doc_hashes=[d for t in turns for d in t.doc_ids if d],
            detail={"conversation": conversation.id, "questions": len(turns), "withheld": shown.withheld},
        )
        status = f"Opened “{md_text(conversation.title)}” ({counted(len(turns), 'question')})."
        if shown.withheld:
            status += f" {shown.withheld} source{'s are' if shown.withheld != 1 else ' is'} no longer available to you."
        last = shown.sources.get(len(shown.chat) - 1, NO_SOURCES)
        return list(session.chat), last, status, conversation.title

    def rename_conversation(self, conversation_id: Any, title: Any, request: gr.Request) -> tuple:
        """Give one of the user's conversations a new name (plain text, at most 80 characters)."""
        user = self.ctx.user(request, "ask")
        conversation = self._own(user, "rename", conversation_id)
        if not isinstance(title, str) or text_problem(title):
            reason = text_problem(title) if isinstance(title, str) else f"not text ({type(title).__name__})"
            self.ctx.audit.record_for(user, CONVERSATION_REFUSED, detail={"wanted": "rename", "reason": reason})
            raise refusal("Type the new name as plain text (pasted text can carry invisible characters).")
        title = " ".join(title.split())
        problem = title_problem(title)
        if problem:
            raise refusal(f"That name cannot be used: {problem}.")
        if not self.store.rename(conversation.id, self.ctx.owner(user), title):  # deleted meanwhile (another tab)
            raise refusal(NO_CHOICE)
        self.ctx.audit.record_for(
            user,
            CONVERSATION_RENAMED,
            title,
            doc_hashes=self._cited(conversation, user),
            detail={"conversation": conversation.id, "was": conversation.title},
        )
        status = f"Renamed “{md_text(conversation.title)}” to “{md_text(title)}”."
        return self._choices(user, conversation.id), status

    def confirm_deletion(self, conversation_id: Any, request: gr.Request) -> tuple:
        """Ask before deleting: the conversation's name, its questions and when it was started."""
        user = self.ctx.user(request, "ask")
        conversation = self._own(user, "delete", conversation_id)
        self.ctx.session(request, user).deleting = conversation.id
        question = (
            f"Delete “{md_text(conversation.title)}” ({counted(conversation.questions, 'question')}, started "
            f"{when(conversation.created)})? Its questions and answers go from your list for good."
        )
        return gr.update(visible=True), question, ""

    def cancel_deletion(self, request: gr.Request) -> tuple:
        user = self.ctx.user(request, "ask")
        self.ctx.session(request, user).deleting = None
        return gr.update(visible=False), "", "Nothing deleted."

    def delete_conversation(self, conversation_id: Any, request: gr.Request) -> tuple:
        """Delete one of the user's conversations, once confirmed; audited (title, questions, reports cited)."""
        user = self.ctx.user(request, "ask")
        session = self.ctx.session(request, user)
        conversation = self._own(user, "delete", conversation_id)
        if session.deleting != conversation.id:  # another one was chosen after the question was asked
            raise refusal("Choose Delete again: the conversation chosen is not the one you were asked about.")
        session.deleting = None
        cited = self._cited(conversation, user)
        if not self.store.delete(conversation.id, self.ctx.owner(user)):  # deleted meanwhile (another tab)
            raise refusal(NO_CHOICE)
        self.ctx.audit.record_for(
            user,
            CONVERSATION_DELETED,
            conversation.title,
            doc_hashes=cited,
            detail={
                "conversation": conversation.id,
                "questions": conversation.questions,
                "created": conversation.created,
                "updated": conversation.updated,
            },
        )
        chat, sources = gr.update(), gr.update()
        if session.conversation == conversation.id:  # the chat on screen was this conversation
            session.reset_chat()
            chat, sources = [], NO_SOURCES
        status = f"Deleted “{md_text(conversation.title)}”."
        return self._choices(user, session.conversation), gr.update(visible=False), status, chat, sources
