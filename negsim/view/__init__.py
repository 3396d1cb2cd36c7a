"""The interactive teaching view (Solara): `negsim-view`."""
