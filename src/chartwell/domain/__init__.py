"""Plain types of the HIM world. No I/O: nothing here imports a database, web or file library."""
