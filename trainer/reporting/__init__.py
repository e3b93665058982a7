"""What HR and trainers read: the completion report, exports, xAPI, the HR API, analysis."""
