from ejan.extensions import celery


@celery.task(name="toy.poke")
def poke() -> str:
    return "poked"
