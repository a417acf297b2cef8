"""Installing the bot as a system service."""
