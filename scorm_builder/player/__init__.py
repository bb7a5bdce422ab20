"""The course player's static files (JavaScript, CSS and the index.html template); see render/player.py."""
