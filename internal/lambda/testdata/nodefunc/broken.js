// Test function whose module fails to load.
throw new Error('cannot load');
