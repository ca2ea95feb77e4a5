# Scrapyd's egg builder (scrapyd-deploy --build-egg) runs setup.py; everything is declared in pyproject.toml.
from setuptools import setup

setup()
