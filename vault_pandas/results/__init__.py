"""Row outcomes: what happened to each row, from Vault's answer to what the user sees.

``outcomes``      statuses, result column names, the per-row outcome arrays of a load
                  (``RowOutcomes``) and how a Vault answer becomes them (``Outcomes``)
``summary``       ``summary()`` / ``failures()`` of a result frame, from its error types
``display``       the notebook summary line above result frames
``progress``      the tqdm progress bar of a load
``report_lines``  a result frame as the plain-text lines the command line prints
``csv_text``      a frame's values in Vault's text forms, for CSV files that load back
``files``         result and export files written atomically (the one module with file I/O)

May import: ``vault_pandas.errors``, ``vault_pandas.config``. No HTTP.
"""
