"""Platform standards: tagging, regions, naming and golden path adoption; one policy per module."""
