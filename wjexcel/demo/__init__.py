"""``wjexcel demo``: a whole cycle on the built-in plan, with forms filled the way people fill them."""
