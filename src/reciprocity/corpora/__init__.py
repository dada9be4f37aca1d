"""Corpus mode, for researchers: a ConvoKit folder or a table of utterances in, Parquet
tables out, every pair of speakers who reply to each other in a conversation analysed as
a relationship by the personal pipeline's own stage functions.

- :mod:`.source`: reading the input in chunks and splitting it into buckets of conversations
- :mod:`.dyads`: who answers whom, and the dyads as the pipeline's analysis frame
- :mod:`.partition`: the stages over one bucket, one Parquet file per table
- :mod:`.engine`: the map over chunks and buckets, in this process or on Dask
- :mod:`.run`: a whole run (:func:`.run.run_corpus`); :mod:`.schema` describes its tables
- :mod:`.convokit`: the results written back into a copy of a ConvoKit folder

(Named ``corpora`` so that ``reciprocity.corpus`` stays the API's function.)
"""
