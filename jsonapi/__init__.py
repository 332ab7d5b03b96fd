"""The JSON:API 1.0 layer shared by every resource of the API."""

# The top-level member every document of this API carries.
JSONAPI_OBJECT = {"version": "1.0"}
