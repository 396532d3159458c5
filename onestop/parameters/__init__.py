"""Policy parameters as versioned data: provincial figures and rates per year, book rates."""
