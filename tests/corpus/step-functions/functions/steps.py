def hello(event, context):
    return {**event, "greeting": "Hello"}


def world(event, context):
    return {**event, "message": f"{event.get('greeting', 'Hi')}, world!"}
