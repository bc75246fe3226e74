"""Reads the rows that bench/lib.sh's write_csv wrote, for the bench/*.sh summaries."""
import csv
import statistics


class Rows:
    """The CSV's rows grouped by label, in the order the labels first appear."""

    def __init__(self, path):
        self.by = {}
        for r in csv.DictReader(open(path)):
            self.by.setdefault(r["label"], []).append(r)

    def labels(self):
        return list(self.by)

    def median(self, label, key):
        return statistics.median(float(r[key]) for r in self.by[label])

    def pages(self, label):
        return float(self.by[label][0]["pages"])

    def ratios(self, label, other):
        """pages/s of `label` over `other`, run by run (the runs were interleaved)."""
        return [float(a["pages_per_s"]) / float(b["pages_per_s"])
                for a, b in zip(self.by[label], self.by[other])]
