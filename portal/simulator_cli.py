"""`portal exchange simulate`: play a supplier's ERP on its exchange profile (portal.exchange.simulator)."""

from __future__ import annotations

import logging
from contextlib import AbstractContextManager
from pathlib import Path

import click

from portal.cli import Context, pass_ctx


@click.command("simulate")
@click.option(
    "--profile", "slug", required=True, help="slug of the partner organization whose profile to play"
)
@click.option(
    "--delay",
    type=click.FloatRange(min=0),
    default=5.0,
    show_default=True,
    metavar="SECONDS",
    help="seconds from picking an order up to its order response, and again to the ship notice and "
    "to the invoice (0: all at once)",
)
@click.option("--once", is_flag=True, help="one pass (read what is there, send what is due), then exit")
@click.option("--seed", type=int, default=0, show_default=True, help="the same seed gives the same answers")
@click.option(
    "--change-rate",
    type=click.FloatRange(0, 1),
    default=0.2,
    show_default=True,
    help="share of lines confirmed with fewer pieces or a later date",
)
@click.option(
    "--reject-rate",
    type=click.FloatRange(0, 1),
    default=0.1,
    show_default=True,
    help="share of lines rejected",
)
@click.option(
    "--only",
    "steps",
    type=click.Choice(["ack", "ordrsp", "desadv", "invoic"]),
    multiple=True,
    help="send only these (repeat; default: all: the CONTRL/997 for an order, then the three answers)",
)
@click.option(
    "--orders",
    type=click.IntRange(min=1),
    metavar="N",
    help="load generator: exit once N orders are answered (with --delay 0 as fast as they come)",
)
@click.option(
    "--state",
    type=click.Path(dir_okay=False, path_type=Path),
    help="state file of what is still to be sent (default: simulator/SLUG.json in the data folder)",
)
@click.option(
    "--poll",
    type=click.FloatRange(min=0.05),
    default=1.0,
    show_default=True,
    metavar="SECONDS",
    help="seconds between passes",
)
@pass_ctx
def simulate(
    ctx: Context,
    slug: str,
    delay: float,
    once: bool,
    seed: int,
    change_rate: float,
    reject_rate: float,
    steps: tuple[str, ...],
    orders: int | None,
    state: Path | None,
    poll: float,
) -> None:
    """Play the supplier SLUG's ERP on its exchange profile: answer the orders the portal sends it
    with an order response (some lines changed or rejected), a ship notice and an invoice, in the
    profile's format, over the profile's folder or SFTP server. Run `portal exchange run` beside it
    to apply the answers. Stop with Ctrl-C."""
    from adapters import AdapterError
    from portal.exchange import simulator as sim

    if change_rate + reject_rate > 1:
        raise click.BadParameter("--change-rate and --reject-rate add up to more than 1")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    with ctx.uow() as (uow, principal):
        side = sim.partner_side(uow.session, principal, slug)
    behaviour = sim.Behaviour(
        delay=delay, seed=seed, change_rate=change_rate, reject_rate=reject_rate, steps=steps or sim.STEPS
    )
    path = state or sim.default_state_file(ctx.settings.data_dir, slug)
    ctx.close()  # the simulator needs no database from here on
    try:
        with sim.PartnerSimulator(side, path, behaviour) as simulator:
            click.echo(
                f"simulating {slug} ({side.format}): reading {side.reads!r}, answering into "
                f"{side.writes!r}; state in {path}",
                err=True,
            )
            report = simulator.run(once=once, orders=orders, poll=poll)
    except sim.SimulatorBusy as exc:
        raise click.ClickException(str(exc)) from exc
    except AdapterError as exc:  # with --once: the folder or server cannot be reached
        raise click.ClickException(f"{slug}: {exc}") from exc
    except KeyboardInterrupt:
        return
    click.echo(
        f"{report.orders} order(s) read, {report.sent} file(s) sent, {report.pending} still to send",
        err=True,
    )


def demo_partner(ctx: Context, delay: float) -> AbstractContextManager[object]:
    """`portal demo`'s simulated NordTec, in a thread beside the worker; what it does is logged to the
    console."""
    from portal.exchange import simulator as sim

    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s simulator %(message)s", "%H:%M:%S"))
    sim.log.addHandler(handler)
    sim.log.setLevel(logging.INFO)

    with ctx.uow() as (uow, principal):
        side = sim.partner_side(uow.session, principal, "nordtec")
    state = sim.default_state_file(ctx.settings.data_dir, "nordtec")
    return sim.in_background(side, state, sim.Behaviour(delay=delay))
