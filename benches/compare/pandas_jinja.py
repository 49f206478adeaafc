#!/usr/bin/env python3
"""Every area's weekly story, the plain pandas + Jinja2 way: the yardstick for casewire's
every-area figure in BENCHMARKS.md.

Reads a dashboard CSV (areaCode,areaName,areaType,date,newCasesBySpecimenDate) and a
population table (areaCode,areaName,population), computes each area's seven-day rate and the
week before (rounded to one decimal), the national rises and falls, ranks, leaders and each
nation's leader, then renders one story per area with a Jinja2 template shaped like
casewire's `area` template, the one `casewire draft --each-area` uses (headline, standfirst
with the area's rank, area paragraph, its place among the rises or falls, method, national
counts, leaders, nation leaders, provenance), keeping each story in memory and counting its
bytes, as the casewire bench does.

    python3 benches/compare/pandas_jinja.py DATA.csv POPULATION.csv WEEK_END [OUT_DIR]

With OUT_DIR, each story is also written to OUT_DIR/CODE.md, as the command line writes its
stories (the paired benchmark, `cargo bench --bench scale -- --paired PYTHON`, does this).

Run it under `/usr/bin/time -v` for the peak memory. Needs pandas and jinja2 (a venv:
`python3 -m venv /tmp/pandas-venv && /tmp/pandas-venv/bin/pip install pandas jinja2`).
"""

import os
import sys
import time

import jinja2
import pandas as pd

TEMPLATE = """\
# {% if a.rank == 1 %}{{ a.name }} has the highest Covid-19 rate in {{ universe }}{% else %}Covid-19 rate {{ "rises" if a.direction == "up" else ("falls" if a.direction == "down" else "holds steady") }} in {{ a.name }}{% endif %}

{{ a.name }}'s rate is {{ "{:,.1f}".format(a.rate) }} cases per 100,000 people in the seven days to {{ week_end }}, the {{ ordinal(a.rank) }} highest of {{ "{:,}".format(m.total) }} local areas in {{ universe }}.

{{ a.name }} recorded {{ "{:,}".format(a.cases) }} new cases of Covid-19 in the seven days to {{ week_end }}, a rate of {{ "{:,.1f}".format(a.rate) }} per 100,000 people, {{ a.direction }} from {{ "{:,.1f}".format(a.prev_rate) }} the week before.

{% if a.direction == "down" %}That is the {{ ordinal(a.fall_rank) }} fall in {{ universe }}, where {{ m.falling }} of the {{ "{:,}".format(m.total) }} local areas saw their rate go down.{% elif a.direction == "up" %}That is the {{ ordinal(a.rise_rank) }} rise in {{ universe }}, where {{ m.rising }} of the {{ "{:,}".format(m.total) }} local areas saw their rate go up.{% endif %}

The figures cover the seven days to {{ week_end }}, compared with the seven days to {{ prev_end }}. Rates are new cases per 100,000 people.

Across {{ universe }}, {{ m.rising }} of the {{ "{:,}".format(m.total) }} local areas ({{ m.rising_pct }}%) saw their rate rise in the latest week and {{ m.falling }} ({{ m.falling_pct }}%) saw it fall.
{% for l in leaders %}
{% if loop.first %}{{ l.name }} has the highest rate in {{ universe }}, with {{ "{:,}".format(l.cases) }} new cases in the seven days to {{ week_end }}, the equivalent of {{ "{:,.1f}".format(l.rate) }} per 100,000 people.{% else %}{{ l.name }} has the {{ ordinal(l.rank) }} highest rate, at {{ "{:,.1f}".format(l.rate) }} with {{ "{:,}".format(l.cases) }} new cases, {{ l.direction }} from {{ "{:,.1f}".format(l.prev_rate) }} the week before.{% endif %}
{% endfor %}
{% for n in nations %}{{ n.name }} has the highest rate in {{ n.nation }}, at {{ "{:,.1f}".format(n.rate) }} with {{ "{:,}".format(n.cases) }} new cases.
{% endfor %}
The figures were calculated from data published on the government's coronavirus dashboard.
"""


def ordinal(n):
    n = int(n)
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n:,}{suffix}"


def main():
    data, population, week_end = sys.argv[1], sys.argv[2], pd.Timestamp(sys.argv[3])
    out_dir = sys.argv[4] if len(sys.argv) > 4 else None
    if out_dir:
        os.makedirs(out_dir, exist_ok=True)
    started = time.perf_counter()
    df = pd.read_csv(data, usecols=["areaCode", "areaName", "date", "newCasesBySpecimenDate"])
    df["date"] = pd.to_datetime(df["date"], format="%Y-%m-%d")
    pop = pd.read_csv(population).drop_duplicates("areaCode", keep="last")
    parsed = time.perf_counter()

    this_start = week_end - pd.Timedelta(days=6)
    prev_end = this_start - pd.Timedelta(days=1)
    prev_start = prev_end - pd.Timedelta(days=6)
    window = df[(df["date"] >= prev_start) & (df["date"] <= week_end)]
    window = window.assign(this=window["date"] >= this_start)
    sums = (
        window.groupby(["areaCode", "this"])["newCasesBySpecimenDate"]
        .agg(["sum", "count"])
        .unstack("this")
    )
    complete = (sums["count"][True] == 7) & (sums["count"][False] == 7)
    weeks = pd.DataFrame(
        {"cases": sums["sum"][True][complete], "prev_cases": sums["sum"][False][complete]}
    )
    names = df.drop_duplicates("areaCode").set_index("areaCode")["areaName"]
    weeks = weeks.join(pop.set_index("areaCode")["population"], how="inner").join(names)
    weeks["rate"] = (weeks["cases"] * 100000 / weeks["population"]).round(1)
    weeks["prev_rate"] = (weeks["prev_cases"] * 100000 / weeks["population"]).round(1)
    weeks["change"] = weeks["rate"] - weeks["prev_rate"]
    weeks["direction"] = ["up" if c > 0 else ("down" if c < 0 else "unchanged") for c in weeks["change"]]
    weeks["rank"] = weeks["rate"].rank(method="min", ascending=False).astype(int)
    weeks = weeks.rename(columns={"areaName": "name"}).sort_values(["rate", "name"], ascending=[False, True])
    total = len(weeks)
    rising = int((weeks["change"] > 0).sum())
    falling = int((weeks["change"] < 0).sum())
    m = {
        "total": total,
        "rising": rising,
        "falling": falling,
        "rising_pct": round(100 * rising / total),
        "falling_pct": round(100 * falling / total),
    }
    weeks["rise_rank"] = weeks["change"].where(weeks["change"] > 0).rank(method="min", ascending=False)
    weeks["fall_rank"] = weeks["change"].where(weeks["change"] < 0).rank(method="min", ascending=True)
    leaders = weeks.head(3).to_dict("records")
    nation_names = {"E": "England", "S": "Scotland", "W": "Wales", "N": "Northern Ireland"}
    by_nation = weeks.reset_index().assign(nation=lambda d: d["areaCode"].str[0].map(nation_names))
    nations = by_nation.dropna(subset=["nation"]).groupby("nation", sort=False).head(1).to_dict("records")
    figured = time.perf_counter()

    env = jinja2.Environment()
    env.globals["ordinal"] = ordinal
    template = env.from_string(TEMPLATE)
    stories = 0
    size = 0
    for a in weeks.reset_index().to_dict("records"):
        text = template.render(
            a=a,
            m=m,
            leaders=leaders,
            nations=nations,
            universe="the UK",
            week_end=week_end.strftime("%B %-d"),
            prev_end=prev_end.strftime("%B %-d"),
        )
        stories += 1
        size += len(text)
        if out_dir:
            with open(os.path.join(out_dir, a["areaCode"] + ".md"), "w") as f:
                f.write(text)
    done = time.perf_counter()
    print(
        f"stories={stories} bytes={size} parse_secs={parsed - started:.3f} "
        f"stats_secs={figured - parsed:.3f} render_secs={done - figured:.3f} "
        f"secs={done - started:.3f}"
    )


if __name__ == "__main__":
    main()
