"""The guide's module layout: ``zexus.vm.vm``, ``zexus.vm.bytecode``, ``zexus.vm.profiler``."""
