"""Exports for the tools investigators already use: FollowTheMoney (`ftm`) for Aleph."""
