"""Delivery of the finished edition (SMTP)."""
