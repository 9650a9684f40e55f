-- images is a legacy column, always '[]': the images are written once to gq_task_images (task_images_insert).
INSERT INTO gq_tasks ({columns}, images)
VALUES (@id, @user_id, @provider, @model, @prompt, @aspect_ratio, @duration, @hd, @status, @progress, @video_url,
        @error_message, @attempt, @upstream_task_id, @submit_state, @started_at, @api_key, @uses_own_api_key, @job_id,
        @version, @created_at, @updated_at, @completed_at, @callback_url, '[]');
