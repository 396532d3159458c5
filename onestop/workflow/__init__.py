"""Processes as BPMN 2.0, run by SpiffWorkflow. The only package that imports SpiffWorkflow."""
