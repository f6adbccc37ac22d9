"""Deal registration (issue #18.3): dealers register deals, the owner's sales staff decide them."""
