"""Signed webhooks per organization (issue #16.6): `service` (endpoints: register, rotate, ...),
`queries` (the read models), `dispatch` (the worker step), `guard` (SSRF), `signing` (Standard
Webhooks), `schedule` (retries)."""
