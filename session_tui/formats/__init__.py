"""Reading and writing session files: the export shape, and the formats of the ADK family."""
