"""The seed documents as a bibliography."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.core.paths import project_root
from analysis.sources import documents


class TestDocument:
    def test_every_seed_file_of_the_catalogue_is_a_document(self):
        seed = pd.read_csv(next((project_root() / "data" / "raw" / "seed_figures").rglob("*.csv")))
        assert set(seed["source_file"]) <= set(documents.BY_FILE)

    def test_unknown_file(self):
        with pytest.raises(KeyError, match="no document"):
            documents.document("999_x.txt")


class TestCite:
    def test_part_from_line(self):
        c = documents.cite("003_e03a011979e317c6.txt", 374)
        assert c.startswith("Genomlysning samordningsförbunden Örebro län") and c.endswith("Tabell 1")
        assert "003_" not in c and "rad" not in c

    def test_later_source_is_marked(self):
        f = "002_f91937dbdf8dd34f.txt"  # February 2022
        assert documents.cite(f, published="2020-06-01").endswith("senare källa")
        assert "senare" not in documents.cite(f, published="2022-06-01")
        assert documents.cite(f, edition=2019).endswith("senare källa")
        assert "senare" not in documents.cite("003_e03a011979e317c6.txt", edition=2019)


class TestBibliography:
    def test_sorted_and_flagged(self):
        b = documents.bibliography("2016-06-01")
        assert list(b["date"]) == sorted(b["date"])
        assert b["later"].all()
        assert not documents.bibliography("2023-01-01")["later"].any()


class TestReaderProducer:
    def test_channel_and_transcription_dropped(self):
        assert documents.reader_producer("RKA (Kolada), via the R package rKolada") == "RKA (Kolada)"
        assert documents.reader_producer("Eurostat (via the R package X)") == "Eurostat"
        assert documents.reader_producer("Socialstyrelsen; transcribed for this project") == \
            "Socialstyrelsen"
