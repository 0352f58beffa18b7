"""Uploads on the web: analysts send the statutory returns and partner files through the
browser, checked and loaded exactly as ``safeplan load`` does."""
