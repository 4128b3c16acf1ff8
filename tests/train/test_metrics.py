"""Evaluation matches the tutorial's test(); confusion matrix and per-class accuracy are right."""

from __future__ import annotations

import math

import pytest
import torch
from _engine_helpers import tiny
from torch import nn

from nnlab.train.metrics import confusion_matrix, evaluate, per_class_accuracy
from nnlab.train.model import NeuralNetwork


def test_evaluate_is_the_tutorials_test():
    data = tiny(16, 150)  # 150 test images: two full batches of 64 and one of 22
    torch.manual_seed(1)
    model = NeuralNetwork((32,))
    x = data.test_x.reshape(150, -1).float() / 255
    result = evaluate(model, x, data.test_y, batch_size=64, preview_count=5)
    # the quickstart's test(): sum of batch-mean losses / number of batches; share correct
    loss_fn = nn.CrossEntropyLoss()
    test_loss, correct = 0.0, 0.0
    with torch.no_grad():
        for start in range(0, 150, 64):
            pred = model(x[start : start + 64])
            test_loss += loss_fn(pred, data.test_y[start : start + 64]).item()
            correct += (pred.argmax(1) == data.test_y[start : start + 64]).type(torch.float).sum().item()
    assert result.loss == pytest.approx(test_loss / 3, rel=1e-6)
    assert result.accuracy == correct / 150
    assert result.predictions == tuple(model(x[:5]).argmax(1).tolist())


def test_confusion_and_per_class():
    labels = torch.tensor([0, 0, 1, 1, 2])
    preds = torch.tensor([0, 1, 1, 1, 0])
    matrix = confusion_matrix(labels, preds, classes=3)
    assert matrix.tolist() == [[1, 1, 0], [0, 2, 0], [1, 0, 0]]
    acc = per_class_accuracy(matrix.tolist() + [[0, 0, 0]])
    assert acc[:3] == (0.5, 1.0, 0.0) and math.isnan(acc[3])


def test_tutorial_model_prints_like_the_quickstart():
    assert (
        str(NeuralNetwork())
        == """NeuralNetwork(
  (flatten): Flatten(start_dim=1, end_dim=-1)
  (linear_relu_stack): Sequential(
    (0): Linear(in_features=784, out_features=512, bias=True)
    (1): ReLU()
    (2): Linear(in_features=512, out_features=512, bias=True)
    (3): ReLU()
    (4): Linear(in_features=512, out_features=10, bias=True)
  )
)"""
    )
    from nnlab.train.model import count_parameters, parameters_for

    assert count_parameters(NeuralNetwork()) == 669_706 == parameters_for((512, 512))
    assert "Tanh()" in str(NeuralNetwork((8, 8), "tanh"))
