import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from mipnn.plotting import save_figure, set_style  # noqa: E402


def test_save_figure_writes_png_pdf_csv(tmp_path):
    set_style()
    df = pd.DataFrame({"x": [0, 1, 2], "y": [0, 1, 4]})
    fig, ax = plt.subplots()
    ax.plot(df.x, df.y)
    paths = save_figure(fig, "00_demo", "curve", data=df)
    plt.close(fig)
    assert set(paths) == {"png", "pdf", "csv"}
    assert paths["png"].read_bytes()[:4] == b"\x89PNG"
    assert paths["pdf"].read_bytes()[:4] == b"%PDF"
    assert pd.read_csv(paths["csv"]).equals(df)
    assert str(paths["png"]).startswith(str(tmp_path))


def test_pdf_is_reproducible(tmp_path):
    fig, ax = plt.subplots()
    ax.plot([0, 1], [1, 0])
    first = save_figure(fig, "00_demo", "same")["pdf"].read_bytes()
    second = save_figure(fig, "00_demo", "same")["pdf"].read_bytes()
    plt.close(fig)
    assert first == second


@pytest.mark.parametrize("kwargs, word", [({"name": "a/b"}, "name"), ({"notebook": ""}, "notebook"),
                                          ({"dpi": 72}, "dpi"), ({"data": [1, 2]}, "data")])
def test_save_figure_validation(kwargs, word):
    fig, _ = plt.subplots()
    args = {"notebook": "00_demo", "name": "fig"} | kwargs
    with pytest.raises(ValueError, match=word):
        save_figure(fig, **args)
    plt.close(fig)


def test_show_displays_the_saved_png_and_closes_the_figure(monkeypatch):
    import IPython.display

    shown = []
    monkeypatch.setattr(IPython.display, "display", lambda obj: shown.append(obj))
    fig, ax = plt.subplots()
    ax.plot([0, 1], [1, 0])
    paths = save_figure(fig, "00_demo", "shown", show=True)
    assert len(shown) == 1 and shown[0].data == paths["png"].read_bytes()
    assert not plt.fignum_exists(fig.number)
