"""Bridges from other tools into nnlab runs: TensorBoard logs, a Lightning Trainer, torchrun/DDP.

Each module needs its optional extra (``pip install 'nnlab[tensorboard]'``, ``'nnlab[lightning]'``;
distributed needs only torch) and says so in one line when it is missing.
"""
