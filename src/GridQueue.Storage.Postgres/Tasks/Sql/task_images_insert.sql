-- Once per task with images, in the transaction that inserts the task; images never change afterwards.
INSERT INTO gq_task_images (task_id, images) VALUES (@task_id, @images);
