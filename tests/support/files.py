"""Reading back what minhbach wrote."""
import csv


def read_csv(path):
    with path.open(encoding="utf-8-sig") as handle:
        return list(csv.DictReader(handle))
