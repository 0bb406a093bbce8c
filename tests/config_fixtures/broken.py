raise ValueError("broken config")
