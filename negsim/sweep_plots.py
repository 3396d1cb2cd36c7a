"""Placeholder replaced below."""

from matplotlib.figure import Figure


def plot_sweep(table, keys):
    fig = Figure()
    ax = fig.add_subplot()
    ax.plot(table["agreement_probability"])
    return fig
