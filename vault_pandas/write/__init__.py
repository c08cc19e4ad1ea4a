"""Writing a frame: the one pipeline from ``df.vault.create`` to the wire and back.

``options``       the options of a load (``WriteOptions``) and the operations
``plan``          the checks before sending: metadata, columns, validation
``formatting``, ``datetimes``  values in Vault's text forms
``blocks``        frame blocks -> formatted Arrow tables (and back: ``plain_text``)
``bodies``        request bodies (CSV, JSON)
``batching``      rows cut into requests (500 rows / 50 MB)
``request``       one request: method, path, headers, and its per-row answer
``sending``       the bounded pool that sends requests and stores each answer
``concurrency``   how many requests are in flight (``max_workers=None``)
``isolation``     a raw object's create refused as a whole: its clashing rows set apart
``repeats``       what the answer to a repeated request says about each row
``passes``        the passes after the first: retryable rows, lost answers, a resume's rows
``recovery``      lost answers looked up; ``proof`` decides what a lookup proves
``reconcile``     ``out.vault.reconcile``, above the pipeline it calls to send rows again
``checkpoint``    the journal of a load; ``fingerprint`` its identity
``stopping``      Ctrl-C as a safe stop, and the wait a resume owes
``pipeline``      the pipeline itself and its entry points
``files``         files bigger than memory (``load_file``), read through ``csv_reading``
                  (``csv_lines`` finds the line of a problem)

May import every package below it: ``errors``, ``config``, ``results``, ``schema``,
``transport``, ``read``. ``options``, ``formatting``, ``datetimes``, ``blocks``, ``bodies``
and ``batching`` are pure: they never import the transport.
"""
