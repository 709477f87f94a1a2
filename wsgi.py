from ejan import create_app

app = create_app()
