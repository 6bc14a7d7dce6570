"""A plugin whose hook raises after registering one name."""

from regshift_bench import hookimpl
from regshift_bench.api import Model


class Half(Model):
    pass


@hookimpl
def rsbench_register_models(register):
    register("half_registered", Half)
    raise RuntimeError("hook crashed half-way")
