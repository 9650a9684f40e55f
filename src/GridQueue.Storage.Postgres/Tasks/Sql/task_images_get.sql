SELECT images FROM gq_task_images WHERE task_id = @task_id;
