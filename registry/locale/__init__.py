"""The message catalogs: ``zh_CN/LC_MESSAGES/registry.po`` (English msgids, Chinese translations).

The compiled ``registry.mo`` beside each ``.po`` is made by the build (setup.py), or by
``pybabel compile``; it is never committed.  ``extract`` is the Babel extraction method for
``cli.py`` (see ``babel.cfg``): besides the ``_()`` calls it takes the texts that click shows
as help, which are written in English where they are declared and translated when shown.
"""
