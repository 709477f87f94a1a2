"""Places in Kakegawa: the city boundary (boundary.py). Maps and the disaster reports share it."""
