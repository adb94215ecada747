"""Advice routes, under /raadgivning/."""

from __future__ import annotations

from django.urls import path

from vejud.advice import views

app_name = "advice"
REQUEST = "<int:advice_id>/"

urlpatterns = [
    path("", views.mine, name="mine"),
    path("ny/", views.new, name="new"),
    path("koe/", views.queue, name="queue"),
    path(REQUEST, views.detail, name="detail"),
    path(f"{REQUEST}sag/", views.case_parts, name="case_parts"),
    path(f"{REQUEST}besked/", views.message, name="message"),
    path(f"{REQUEST}svar/", views.answer, name="answer"),
    path(f"{REQUEST}note/", views.note, name="note"),
    path(f"{REQUEST}tildel/", views.assign, name="assign"),
    path(f"{REQUEST}adgang/", views.access, name="access"),
    path(f"{REQUEST}luk/", views.close, name="close"),
]
