"""The 12371 export in the API: a download link for a school's export."""
