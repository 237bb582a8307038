workers 2
threads 1, 1
preload_app!
